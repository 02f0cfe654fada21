; Inno Setup script for the Windows installer of auditor (NOT built or tested on Linux; see
; packaging/README.md). Packs the PyInstaller one-folder build dist\auditor\ into
; dist\auditor-<version>-setup.exe:
;   iscc /DAppVersion=0.1.0 packaging\installer.iss
; Installs to Program Files, adds Start-menu entries and an optional desktop shortcut, and
; registers an uninstaller (Settings > Apps). Per-user data and logs (%LOCALAPPDATA%\auditor)
; are left in place on uninstall, like a user's documents.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=<auditor.__version__> packaging\installer.iss
#endif

[Setup]
; A fixed AppId lets a newer installer upgrade an older install in place.
AppId={{6B7E2F4C-5A1D-4E8B-9C3F-2D7A1B0E9F41}
AppName=auditor
AppVersion={#AppVersion}
AppVerName=auditor {#AppVersion}
AppPublisher=auditor maintainers
DefaultDirName={autopf}\auditor
DefaultGroupName=auditor
DisableProgramGroupPage=yes
OutputDir=..\dist
OutputBaseFilename=auditor-{#AppVersion}-setup
SetupIconFile=..\build\icons\auditor.ico
UninstallDisplayIcon={app}\auditor.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\dist\auditor\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\auditor"; Filename: "{app}\auditor.exe"
Name: "{group}\auditor (demo fleet)"; Filename: "{app}\auditor.exe"; Parameters: "demo"
Name: "{group}\Uninstall auditor"; Filename: "{uninstallexe}"
Name: "{autodesktop}\auditor"; Filename: "{app}\auditor.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\auditor.exe"; Description: "{cm:LaunchProgram,auditor}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; files the app may create inside its own folder at run time (QtWebEngine caches)
Type: filesandordirs; Name: "{app}\_internal\PySide6\Qt\resources\locales"
