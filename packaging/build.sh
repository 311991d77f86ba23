#!/usr/bin/env bash
# `make package`: the one-folder bundle dist/CallDeck/, then from it
# dist/calldeck-VERSION-linux-x86_64.tar.gz and dist/calldeck_VERSION_ARCH.deb.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

VERSION=$($PY -c 'from app import app_version; print(app_version())')
ARCH=$(dpkg --print-architecture)

rm -rf dist/CallDeck build/deb  # build/pyinstaller is PyInstaller's cache: kept
$PY -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/pyinstaller.spec
# libpython and some wheels' extensions carry debug symbols (about 40 MB): stripped. A library
# with no RPATH/RUNPATH was never rewritten by patchelf (auditwheel always sets one), so its
# symbol table goes too (about 4 MB); rewriting patchelf-ed ones could break them.
find dist/CallDeck -type f -name '*.so*' | while read -r lib; do
  sections=$(readelf -S "$lib" 2>/dev/null) || continue
  if ! readelf -d "$lib" | grep -qE '\((RPATH|RUNPATH)\)' && grep -q '\.symtab' <<<"$sections"; then
    strip --strip-unneeded "$lib"
  elif grep -q '\.debug_info' <<<"$sections"; then
    strip --strip-debug "$lib"
  fi
done
root=build/deb/root
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications"
cp -al dist/CallDeck "$root/opt/calldeck"  # hard links: the same files, not a second copy
# The tarball is compressed (gzip: one core) while dpkg-deb compresses the .deb (xz); after
# the hard links, which change the files' ctime and so would make tar say they changed.
tar -C dist -czf "dist/calldeck-$VERSION-linux-x86_64.tar.gz" CallDeck &
tarball=$!
ln -s /opt/calldeck/calldeck "$root/usr/bin/calldeck"
install -m 644 packaging/calldeck.desktop "$root/usr/share/applications/calldeck.desktop"
icons="$root/usr/share/icons/hicolor"
install -D -m 644 resources/icons/app.svg "$icons/scalable/apps/calldeck.svg"
for png in resources/icons/hicolor/*/calldeck.png; do
  size=$(basename "$(dirname "$png")")
  install -D -m 644 "$png" "$icons/$size/apps/calldeck.png"
done
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" \
    -e "s/@SIZE_KB@/$(du -sk --exclude=DEBIAN "$root" | cut -f1)/" \
    packaging/debian-control > "$root/DEBIAN/control"
# The desktop database and icon cache are refreshed by their packages' dpkg triggers.
# xz -6, whose 8 MB blocks keep both cores busy: -9 (64 MB blocks) ran over 4 minutes here.
dpkg-deb --root-owner-group -Zxz -z6 --threads-max=2 --build "$root" "dist/calldeck_${VERSION}_${ARCH}.deb" >/dev/null
wait "$tarball"

echo "bundle  dist/CallDeck/  $(du -sh dist/CallDeck | cut -f1) unpacked"
ls -sh "dist/calldeck-$VERSION-linux-x86_64.tar.gz" "dist/calldeck_${VERSION}_${ARCH}.deb"
