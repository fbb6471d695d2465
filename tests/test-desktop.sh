#!/bin/sh
# test-desktop.sh CHECK SRCDIR: checks of the files around the program.
#   potfiles      every source file with marked strings is in po/POTFILES.in,
#                 and every file listed there exists
#   translations  every language in po/LINGUAS translates every message of
#                 the current sources, with nothing fuzzy
#   flatpak       the Flatpak manifest parses (skipped without flatpak-builder)
set -eu
check=$1
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

listed() {
  grep -v '^[[:space:]]*#' "$src/po/POTFILES.in" | sed '/^[[:space:]]*$/d'
}

potfiles() {
  status=0
  listed > "$tmp/listed"
  while read -r f; do
    [ -f "$src/$f" ] || { echo "po/POTFILES.in lists $f, which does not exist"; status=1; }
  done < "$tmp/listed"
  # The same markers xgettext looks for with meson's glib preset.
  cd "$src"
  { find src -name '*.c'; find ui -name '*.ui'
    find data -maxdepth 1 \( -name '*.xml.in' -o -name '*.desktop.in' -o -name '*.gschema.xml' \); } |
    sort | while read -r f; do
      case $f in
        *.c) grep -qE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext|g_dpgettext2) ?\(' "$f" || continue ;;
        *.ui) grep -q 'translatable="yes"' "$f" || continue ;;
      esac
      grep -qxF "$f" "$tmp/listed" || echo "$f has translatable strings but is missing from po/POTFILES.in"
    done > "$tmp/missing"
  cat "$tmp/missing"
  [ -s "$tmp/missing" ] && status=1
  [ $status -eq 0 ] && echo "ok: po/POTFILES.in lists $(wc -l < "$tmp/listed") files"
  return $status
}

translations() {
  cd "$src"
  listed > "$tmp/POTFILES"
  xgettext --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
    --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
    --files-from="$tmp/POTFILES" --output="$tmp/template.pot"
  status=0
  for lang in $(sed 's/#.*//' po/LINGUAS); do
    msgfmt --check --output-file=/dev/null "po/$lang.po"
    msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/template.pot" --output-file="$tmp/$lang.po"
    stats=$(msgfmt --statistics --output-file=/dev/null "$tmp/$lang.po" 2>&1)
    echo "$lang: $stats"
    case $stats in
      *fuzzy* | *untranslated*)
        echo "$lang: incomplete; update with ninja -C build mrt-studio-update-po and translate:"
        msgattrib --untranslated --only-fuzzy "$tmp/$lang.po" 2>/dev/null | grep '^msgid' || true
        msgattrib --untranslated "$tmp/$lang.po" | grep '^msgid' | sed 1d
        status=1 ;;
    esac
  done
  return $status
}

flatpak() {
  if ! command -v flatpak-builder >/dev/null; then
    echo "SKIP: flatpak-builder is not installed"
    exit 77
  fi
  flatpak-builder --show-manifest "$src/flatpak/org.cortex.MrtStudio.json" > "$tmp/manifest.json"
  grep -qE '"(app-)?id" *: *"org.cortex.MrtStudio"' "$tmp/manifest.json"
  grep -q '"runtime-version" *: *"43"' "$tmp/manifest.json"
  echo "ok: the Flatpak manifest parses"
}

case $check in
  potfiles | translations | flatpak) $check ;;
  *) echo "unknown check: $check" >&2; exit 2 ;;
esac
