#!/usr/bin/env bash
# Tries the README's build as a new user would, on a fresh Debian bookworm
# (debootstrap minbase + gcc and libc6-dev, the C linker rustup's Rust needs)
# with only Rust: this machine's ~/.rustup and cargo proxies mounted
# read-only, a copy of its crates registry (so no network is needed), and the
# branch's committed tree (git archive HEAD). Prints every crate that fails
# (cargo --keep-going) and how long the build took. Not run by CI: it needs
# root (debootstrap, chroot, mount) and ~2 GB.
#
#   sudo tests/fresh-machine/try.sh [CHROOT_DIR] [CARGO_ARGS…]
#   (default: /var/tmp/genvej-fresh, `build --offline --locked --keep-going`)
#
# Tried 2026-12-07 on commit 82fb166: debootstrap 1 min 49 s; of 389 crates
# only the pkg-config ones failed (glib-sys, gobject-sys, gio-sys, gdk-sys,
# gdk-pixbuf-sys, atk-sys, cairo-sys-rs, pango-sys: libgtk-3-dev; libdbus-sys:
# libdbus-1-dev), so genvej itself was never compiled; 27 min on 2 cores
# shared with another build.
set -euo pipefail

root=${1:-/var/tmp/genvej-fresh}
shift || true
cargo_args=("$@")
[ ${#cargo_args[@]} -gt 0 ] || cargo_args=(build --offline --locked --keep-going)
repo=$(cd "$(dirname "$0")/../.." && pwd)
user_home=${SUDO_HOME:-$HOME}
rustup_home=${RUSTUP_HOME:-$user_home/.rustup}
cargo_home=${CARGO_HOME:-$user_home/.cargo}

if [ "$(id -u)" != 0 ]; then
    echo "try.sh: run as root (debootstrap, chroot and mount need it)" >&2
    exit 2
fi
command -v debootstrap >/dev/null || { echo "try.sh: apt-get install debootstrap" >&2; exit 2; }

if [ ! -x "$root/usr/bin/gcc" ]; then
    echo "try.sh: debootstrap bookworm into $root"
    debootstrap --variant=minbase --include=gcc,libc6-dev bookworm "$root" http://deb.debian.org/debian
fi

mounted=()
cleanup() {
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" || true; done
}
trap cleanup EXIT
bind() { # bind FROM TO [ro]
    mkdir -p "$2"
    mount --bind "$1" "$2"
    mounted+=("$2")
    if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2"; fi
}
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
bind /dev "$root/dev"
bind "$rustup_home" "$root/opt/rustup" ro
bind "$cargo_home/bin" "$root/opt/cargo-bin" ro

# A writable CARGO_HOME with a copy of the registry: cargo locks and
# unpacks there, and --offline finds every crate of Cargo.lock.
mkdir -p "$root/root/cargo-home"
cp -a --update "$cargo_home/registry" "$root/root/cargo-home/"

rm -rf "$root/src/genvej"
mkdir -p "$root/src/genvej"
git -C "$repo" archive HEAD | tar -x -C "$root/src/genvej"
echo "try.sh: building $(git -C "$repo" rev-parse --short HEAD) with: cargo ${cargo_args[*]}"

start=$(date +%s)
set +e
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
    PATH=/opt/cargo-bin:/usr/local/bin:/usr/bin:/bin \
    RUSTUP_HOME=/opt/rustup CARGO_HOME=/root/cargo-home CARGO_TERM_COLOR=never \
    /bin/bash -c 'cd /src/genvej && cargo "$@"' cargo "${cargo_args[@]}" 2>&1 | tee "$root/build.log"
status=${PIPESTATUS[0]}
set -e
echo "try.sh: cargo exited $status after $(($(date +%s) - start)) s; log in $root/build.log"
echo "try.sh: crates that failed:"
grep -E '^(error: failed to run custom build command for|error: could not compile)' "$root/build.log" | sort -u || echo "  none"
exit "$status"
