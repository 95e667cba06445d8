# Apply (or, with -Remove, clear) the fzmediate kiosk's Shell Launcher configuration on this machine.
# Run it as SYSTEM: the MDM Bridge WMI Provider refuses other accounts, administrators included. For example,
# from an elevated command prompt with Sysinternals PsExec:
#   psexec.exe -i -s powershell.exe -ExecutionPolicy Bypass -File "C:\Program Files\fzmediate\kiosk\kiosk-shell-launcher.ps1"
# Needs Windows 10 1809+ / Windows 11 Enterprise, Education or IoT Enterprise, and the account named in the XML
# (default fzkiosk) must exist first. See docs/install.md, "Kiosk lock-down at the OS level".
param(
    [string]$Config = (Join-Path $PSScriptRoot "kiosk-shell-launcher.xml"),
    [switch]$Remove
)
$ErrorActionPreference = "Stop"

$obj = Get-CimInstance -Namespace "root\cimv2\mdm\dmmap" -ClassName "MDM_AssignedAccess"
if ($Remove) {
    $obj.ShellLauncher = $null
} else {
    [xml]$parsed = Get-Content -LiteralPath $Config -Raw -Encoding UTF8   # refuses a malformed file here
    $obj.ShellLauncher = [System.Net.WebUtility]::HtmlEncode($parsed.OuterXml)
}
Set-CimInstance -CimInstance $obj | Out-Null
if ($Remove) {
    Write-Output "Shell Launcher configuration removed; sign out and in again (or restart)."
} else {
    Write-Output "Shell Launcher configuration applied; restart, then sign in as the kiosk account."
}
