#!/usr/bin/env bash
# Builds genvej-<version>-x64.msi with wixl (Debian: wixl, msitools):
#   installer/windows/build-msi.sh [GENVEJ_EXE] [OUT_DIR]
# GENVEJ_EXE defaults to the release cross-build
# (cargo build --release --target x86_64-pc-windows-gnu); OUT_DIR to
# target/installer; GENVEJ_VERSION overrides the version (the tests build
# an "upgrade"). Only genvej.exe, the config, its schemas and the
# bundled scripts go in — never a test helper.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exe="${1:-$root/target/x86_64-pc-windows-gnu/release/genvej.exe}"
out="${2:-$root/target/installer}"
version="${GENVEJ_VERSION:-$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)}"
[ -f "$exe" ] || { echo "build-msi: no $exe (cargo build --release --target x86_64-pc-windows-gnu)" >&2; exit 1; }
for tool in wixl wixl-heat msiinfo msibuild; do
    command -v "$tool" >/dev/null || { echo "build-msi: needs $tool (apt-get install -y wixl msitools)" >&2; exit 1; }
done

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
# wixl wants sources relative to where it runs: gather them in one folder.
cp "$exe" "$stage/genvej.exe"
mkdir -p "$stage/config"
cp "$root/config/genvej.toml" "$root/config/genvej.schema.json" "$root/config/hotkeys.schema.json" "$stage/config/"
cp -r "$root/hotkeys" "$stage/hotkeys"
cp "$root/installer/windows/genvej.wxs" "$stage/genvej.wxs"
cd "$stage"
# Every bundled script, in its folder, as WiX components (not the scripts'
# test cases, `*.tests.toml`, nor their sample answers).
find hotkeys -type f -name '*.toml' ! -name '*.tests.toml' | sort \
    | wixl-heat --prefix hotkeys/ --directory-ref HotkeysFolder --var var.ScriptDir \
        --component-group Scripts --win64 > scripts.wxs
mkdir -p "$out"
out="$(cd "$out" && pwd)"
msi="$out/genvej-$version-x64.msi"
wixl -a x64 -D Version="$version" -D Exe=genvej.exe -D SourceDir=. -D ScriptDir=hotkeys \
    -D Win64=yes -o "$msi" genvej.wxs scripts.wxs
# wixl does not write a Component's NeverOverwrite and Permanent flags: set
# them on the machine config in the Component table, so an organisation's
# edited genvej.toml survives upgrades and uninstalling.
msiinfo export "$msi" Component > Component.idt
awk -F'\t' 'BEGIN { OFS = "\t" } NR > 3 && $1 == "MachineConfig" { $4 = $4 + 128 + 16 } { print }' \
    Component.idt > Component.new && mv Component.new Component.idt
msibuild "$msi" -i Component.idt
msiinfo export "$msi" Component | awk -F'\t' '$1 == "MachineConfig" && $4 == 400 { found = 1 } END { exit !found }' \
    || { echo "build-msi: could not mark the config NeverOverwrite" >&2; exit 1; }
# Nor a property's Secure flag: SCRIPTFOLDER and the bundle properties must
# reach the elevated part of a managed (SCCM/Intune) install, so they join
# SecureCustomProperties.
public="SCRIPTFOLDER;BUNDLEFROM;BUNDLEKEY;BUNDLERING"
secure="$(msiinfo export "$msi" Property | awk -F'\t' '$1 == "SecureCustomProperties" { sub(/\r$/, "", $2); print $2 }')"
msibuild "$msi" -q "UPDATE Property SET Value = '$secure;$public' WHERE Property = 'SecureCustomProperties'"
msiinfo export "$msi" Property | grep -q "^SecureCustomProperties.*;$public" \
    || { echo "build-msi: could not mark $public secure" >&2; exit 1; }
# Who may change the central config and scripts. ProgramData's own ACL lets
# every user create files in folders below it (CREATOR OWNER), and a script
# added there would run in every caseworker's agent at the next reload. So
# ProgramData\genvej gets a protected security descriptor of its own (not
# inherited): SYSTEM and Administrators full control, Users read and
# execute; sub-folders and files inherit it. The hotkeys folder and the
# config file are locked the same way, in case they already existed from an
# older install. wixl writes no MsiLockPermissionsEx (Windows Installer 5):
# the table, its CreateFolder rows and the CreateFolders action are added.
folder_sddl='D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FRFX;;;BU)'
file_sddl='D:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FRFX;;;BU)'
msibuild "$msi" -q 'CREATE TABLE `MsiLockPermissionsEx` (`MsiLockPermissionsEx` CHAR(72) NOT NULL, `LockObject` CHAR(72) NOT NULL, `Table` CHAR(32) NOT NULL, `SDDLText` LONGCHAR NOT NULL, `Condition` CHAR(255) PRIMARY KEY `MsiLockPermissionsEx`)'
for folder in DataFolder HotkeysFolder; do
    msibuild "$msi" -q "INSERT INTO \`CreateFolder\` (\`Directory_\`, \`Component_\`) VALUES ('$folder', 'Schemas')"
    msibuild "$msi" -q "INSERT INTO \`MsiLockPermissionsEx\` (\`MsiLockPermissionsEx\`, \`LockObject\`, \`Table\`, \`SDDLText\`) VALUES ('Lock$folder', '$folder', 'CreateFolder', '$folder_sddl')"
done
msibuild "$msi" -q "INSERT INTO \`MsiLockPermissionsEx\` (\`MsiLockPermissionsEx\`, \`LockObject\`, \`Table\`, \`SDDLText\`) VALUES ('LockMachineConfig', 'GenvejToml', 'File', '$file_sddl')"
sequence="$(msiinfo export "$msi" InstallExecuteSequence)"
grep -q '^CreateFolders' <<<"$sequence" \
    || msibuild "$msi" -q "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Sequence\`) VALUES ('CreateFolders', 3700)"
grep -q '^RemoveFolders' <<<"$sequence" \
    || msibuild "$msi" -q "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Sequence\`) VALUES ('RemoveFolders', 3600)"
[ "$(msiinfo export "$msi" MsiLockPermissionsEx | grep -c "$folder_sddl\|$file_sddl")" = 3 ] \
    || { echo "build-msi: could not lock the permissions of ProgramData\\genvej" >&2; exit 1; }
echo "$msi"
