"""The kiosk's core without Qt: self-help paths, the public guide and who-to-ask printouts, read-aloud."""
