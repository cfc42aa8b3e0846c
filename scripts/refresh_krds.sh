#!/usr/bin/env bash
# Refresh the vendored KRDS (Korea's government design system) files from the npm registry.
#   scripts/refresh_krds.sh [VERSION]     (default: the version in static/vendor/krds/VERSION)
# Copies only the files the portal uses into static/vendor/krds/ and fixes the package's image
# paths so every url() resolves locally: nothing is loaded from a CDN at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=static/vendor/krds
version="${1:-$(cat "$dest/VERSION")}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "krds-uiux@$version" >/dev/null && tar xzf "krds-uiux-$version.tgz")
src="$work/package/resources"
rm -rf "$dest/css" "$dest/img" "$dest/fonts"
mkdir -p "$dest/css/token" "$dest/css/common" "$dest/css/component" "$dest/img/component" "$dest/fonts"
cp "$src/css/token/krds_tokens.css" "$dest/css/token/"
cp "$src/css/common/common.css" "$dest/css/common/"
# The package's component.css points some images at ../../img/img/…; the files live at ../../img/….
sed -e 's#\.\./\.\./img/img/#../../img/#g' -e '/sourceMappingURL/d' "$src/css/component/component.css" \
  > "$dest/css/component/component.css"
sed -i -e '/sourceMappingURL/d' -e 's#@import "../../css/token/#@import "../token/#' "$dest/css/common/common.css"
sed -i '/sourceMappingURL/d' "$dest/css/token/krds_tokens.css"
cp -r "$src/img/component/icon" "$dest/img/component/"
cp "$src"/fonts/PretendardGOV-*.subset.woff2 "$dest/fonts/"
echo "$version" > "$dest/VERSION"
# Every url() must resolve, or collectstatic (manifest storage) fails at deploy time.
missing=0
for css in "$dest"/css/*/*.css; do
  dir=$(dirname "$css")
  for ref in $(grep -o 'url([^)]*)' "$css" | grep -v 'data:' | sed -e 's/url(//' -e 's/)//' -e "s/[\"']//g" | sort -u); do
    [ -e "$dir/$ref" ] || { echo "missing: $ref (from $css)"; missing=1; }
  done
done
exit $missing
