#!/usr/bin/env bash
# Builds genvej_<version>_amd64.deb from a built binary:
#   installer/linux/build-deb.sh [BINARY] [OUT_DIR]
# BINARY defaults to target/release/genvej (build it with
# `cargo build --release`); OUT_DIR to target/installer.
#
# Layout (what paths.rs looks for when installed):
#   /usr/bin/genvej                          the program
#   /usr/share/genvej/hotkeys/               the bundled scripts
#   /etc/genvej/genvej.toml                  machine-wide config (a conffile:
#                                            an edited one survives upgrades)
#   /etc/xdg/autostart/genvej.desktop        starts the agent at login
#   /usr/share/applications/genvej.desktop   the menu entry
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
binary="${1:-$root/target/release/genvej}"
out="${2:-$root/target/installer}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)"

[ -x "$binary" ] || { echo "build-deb: no program at $binary (cargo build --release)" >&2; exit 1; }
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/genvej" "$stage/etc/genvej" \
    "$stage/etc/xdg/autostart" "$stage/usr/share/applications" "$stage/usr/share/doc/genvej"
install -m 0755 "$binary" "$stage/usr/bin/genvej"
cp -r "$root/hotkeys" "$stage/usr/share/genvej/hotkeys"
# The scripts' test cases and their sample answers stay with the IT office.
find "$stage/usr/share/genvej/hotkeys" -name '*.tests.toml' -delete
find "$stage/usr/share/genvej/hotkeys" -depth -type d -name testdata -exec rm -rf {} +
cp "$root/config/hotkeys.schema.json" "$root/config/genvej.schema.json" "$stage/usr/share/genvej/"
# The config's `#:schema` line points next to it; installed, the schema is in /usr/share.
sed 's|^#:schema ./genvej.schema.json|#:schema /usr/share/genvej/genvej.schema.json|' \
    "$root/config/genvej.toml" > "$stage/etc/genvej/genvej.toml"
install -m 0644 "$root/installer/linux/genvej.desktop" "$stage/etc/xdg/autostart/genvej.desktop"
install -m 0644 "$root/installer/linux/genvej.desktop" "$stage/usr/share/applications/genvej.desktop"
install -m 0644 "$root/README.md" "$stage/usr/share/doc/genvej/README.md"
# The caseworkers' guide (Danish), readable on the machine without the book.
install -m 0644 "$root/docs/src/caseworkers.md" "$stage/usr/share/doc/genvej/vejledning.md"
find "$stage" -type d -exec chmod 0755 {} +
find "$stage/usr/share/genvej" "$stage/etc/genvej" -type f -exec chmod 0644 {} +

installed_kb="$(du -sk "$stage" | cut -f1)"
# The binary links only libc, libm and libgcc_s (D-Bus — tray, notices,
# Secret Service — is pure Rust); the dialogs' winit opens Xlib, Xlib-xcb,
# Xcursor and XInput2 at run time, and egui needs GL/EGL.
cat > "$stage/DEBIAN/control" <<CONTROL
Package: genvej
Version: $version
Architecture: amd64
Maintainer: genvej <genvej@eksempelby.invalid>
Installed-Size: $installed_kb
Depends: libc6, libgcc-s1, libx11-6, libx11-xcb1, libxcursor1, libxi6, libxkbcommon-x11-0, libgl1, libegl1
Recommends: xdg-utils, gnome-keyring
Section: utils
Priority: optional
Description: hot keys for caseworkers in Danish jobcentres
 genvej runs small declarative scripts from a hot key: it opens the
 citizen in several case systems from one CPR number and types or pastes
 signatures, addresses, plan headings, journal notes and plans into the
 right window, and measures the time it saves.
CONTROL
echo "/etc/genvej/genvej.toml" > "$stage/DEBIAN/conffiles"

mkdir -p "$out"
package="$out/genvej_${version}_amd64.deb"
dpkg-deb --root-owner-group --build "$stage" "$package" >/dev/null
echo "$package"
