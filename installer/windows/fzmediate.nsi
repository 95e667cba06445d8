; Windows installer of the desk and kiosk (NSIS 3, Unicode). Built on Windows after the PyInstaller bundle:
;   makensis /DVERSION=0.1.0 /DBUNDLE=..\..\dist\fzmediate /DOUTFILE=..\..\dist\fzmediate-0.1.0-installer.exe fzmediate.nsi
; (docs/install.md, "Windows"). Per-machine: Program Files, Start-menu entries for all users, an entry in
; "Apps & features". The users' data (%LOCALAPPDATA%\fzmediate: the encrypted store, keys, settings, outbox,
; logs) is written by the app, never by this installer, and its uninstaller leaves it where it is.
; Installing over an older version replaces the program files; the app migrates the store at the next unlock
; (a backup of it first). Installing an older version over a newer one is refused.

Unicode true
!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WordFunc.nsh"
!include "x64.nsh"

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef BUNDLE
  !define BUNDLE "..\..\dist\fzmediate"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\fzmediate-${VERSION}-installer.exe"
!endif
!define PRODUCT "fzmediate"
!define PUBLISHER "fzmediate"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${PRODUCT}"

Name "${PRODUCT} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${PRODUCT}"
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
ShowInstDetails nevershow
ShowUninstDetails nevershow

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT} installer"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "..\..\resources\icons\fzmediate.ico"
!define MUI_UNICON "..\..\resources\icons\fzmediate.ico"
!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "TradChinese"
!insertmacro MUI_LANGUAGE "English"

LangString DESK_NAME ${LANG_SIMPCHINESE} "调解工作台"
LangString DESK_NAME ${LANG_TRADCHINESE} "調解工作台"
LangString DESK_NAME ${LANG_ENGLISH} "fzmediate desk"
LangString KIOSK_NAME ${LANG_SIMPCHINESE} "调解自助服务"
LangString KIOSK_NAME ${LANG_TRADCHINESE} "調解自助服務"
LangString KIOSK_NAME ${LANG_ENGLISH} "fzmediate kiosk"
LangString NEWER_INSTALLED ${LANG_SIMPCHINESE} "已安装更新的版本 $0，不能安装较旧的版本 ${VERSION}。数据未作任何改动。"
LangString NEWER_INSTALLED ${LANG_TRADCHINESE} "已安裝較新的版本 $0，不能安裝較舊的版本 ${VERSION}。資料未作任何改動。"
LangString NEWER_INSTALLED ${LANG_ENGLISH} "A newer version ($0) is installed; this older version (${VERSION}) cannot be installed over it. Nothing was changed."
LangString NEEDS_64BIT ${LANG_SIMPCHINESE} "本程序需要 64 位 Windows。"
LangString NEEDS_64BIT ${LANG_TRADCHINESE} "本程式需要 64 位元 Windows。"
LangString NEEDS_64BIT ${LANG_ENGLISH} "This program needs 64-bit Windows."

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "$(NEEDS_64BIT)"
    Abort
  ${EndIf}
  SetRegView 64
  ReadRegStr $0 HKLM "${UNINST_KEY}" "DisplayVersion"
  ${If} $0 != ""
    ${VersionCompare} "$0" "${VERSION}" $1
    ${If} $1 == 1  ; the installed version is newer
      MessageBox MB_ICONSTOP "$(NEWER_INSTALLED)"
      Abort
    ${EndIf}
  ${EndIf}
FunctionEnd

Section "fzmediate" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the program files as a whole: no file of the older version stays behind.
  RMDir /r "$INSTDIR\_internal"
  File "${BUNDLE}\fzmediate.exe"
  File "${BUNDLE}\fzmediate-cli.exe"
  File /r "${BUNDLE}\_internal"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  ; Examples for locking a kiosk machine down (docs/install.md), applied by an administrator, never by the
  ; installer; an upgrade overwrites them, so edit a copy.
  SetOutPath "$INSTDIR\kiosk"
  File "kiosk-shell-launcher.xml"
  File "kiosk-shell-launcher.ps1"
  SetOutPath "$INSTDIR"

  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\$(DESK_NAME).lnk" "$INSTDIR\fzmediate.exe" "desk" "$INSTDIR\fzmediate.exe" 0
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\$(KIOSK_NAME).lnk" "$INSTDIR\fzmediate.exe" "kiosk" "$INSTDIR\fzmediate.exe" 0

  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\fzmediate.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
SectionEnd

; Removes the program files, the Start-menu entries and the registry entry: exactly what Section "fzmediate"
; wrote. The data directories (%LOCALAPPDATA%\fzmediate, %APPDATA%\fzmediate, a --data-dir) are not ours to delete.
Section "Uninstall"
  SetShellVarContext all
  SetRegView 64
  Delete "$SMPROGRAMS\${PRODUCT}\$(DESK_NAME).lnk"
  Delete "$SMPROGRAMS\${PRODUCT}\$(KIOSK_NAME).lnk"
  RMDir "$SMPROGRAMS\${PRODUCT}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\fzmediate.exe"
  Delete "$INSTDIR\fzmediate-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  Delete "$INSTDIR\kiosk\kiosk-shell-launcher.xml"
  Delete "$INSTDIR\kiosk\kiosk-shell-launcher.ps1"
  RMDir "$INSTDIR\kiosk"  ; only if empty (an administrator's own copy stays)
  RMDir "$INSTDIR"  ; only if empty
  DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd
