#!/usr/bin/env bash
# Assembles feedwatch_VERSION_ARCH.deb with dpkg-deb from a built binary. Called by `make deb`:
#   packaging/deb/build.sh BINARY MANUAL_TOOL VERSION ARCH STAGING OUTPUT.deb
# BINARY is the release build with the Swift runtime linked statically; MANUAL_TOOL is
# swift-argument-parser's generate-manual. SOURCE_DATE_EPOCH and DEB_MAINTAINER come from the
# environment.
set -euo pipefail

binary=$(realpath "$1") manual_tool=$(realpath "$2") version=$3 arch=$4
staging=$(realpath -m "$5") output=$(realpath -m "$6")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
maintainer=${DEB_MAINTAINER:?DEB_MAINTAINER is not set}
epoch=${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH is not set}

fail() { echo "build.sh: $*" >&2; exit 1; }

# One version: FeedSettings.version, read by the Makefile from the source, must be what the binary says.
binary_version=$("$binary" --version)
[ "$binary_version" = "$version" ] || fail "the binary says $binary_version, the source says $version"

# The binary must not look for the Swift runtime in the toolchain of the build machine.
if objdump -p "$binary" | grep -E 'R(UN)?PATH' ; then fail "$binary has an RPATH/RUNPATH"; fi
if objdump -p "$binary" | grep -E 'NEEDED.*lib(swift|Foundation|dispatch|BlocksRuntime)'; then
    fail "$binary still needs a shared Swift library"
fi

rm -rf "$staging"
root=$staging/root
mkdir -p "$root/DEBIAN"

# The program, stripped (the debug information is 3/4 of the file).
install -D -m 0755 "$binary" "$root/usr/bin/feedwatch"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/feedwatch"

# The unit, configuration and sample feed.
install -d -m 0755 "$root/lib/systemd/system"
sed -e 's|@BINDIR@|/usr/bin|g' "$repo/systemd/feedwatch.service" >"$root/lib/systemd/system/feedwatch.service"
chmod 0644 "$root/lib/systemd/system/feedwatch.service"
install -D -m 0644 "$here/feedwatch.yaml" "$root/etc/feedwatch/feedwatch.yaml"
install -D -m 0644 "$repo/config/sample-feed.xml" "$root/usr/share/feedwatch/sample-feed.xml"

# Man pages: feedwatch(1) from the argument parser, feedwatch.yaml(5) written by hand.
date=$(date -u -d "@$epoch" +%Y-%m-%d)
manual=$staging/manual
mkdir -p "$manual"
"$manual_tool" "$root/usr/bin/feedwatch" --output-directory "$manual" --date "$date" \
    --authors "The feedwatch authors<https://github.com/feedwatch/feedwatch>"
install -D -m 0644 "$manual/feedwatch.1" "$root/usr/share/man/man1/feedwatch.1"
install -d -m 0755 "$root/usr/share/man/man5"
sed -e "s/@VERSION@/$version/g" "$repo/man/feedwatch.yaml.5" >"$root/usr/share/man/man5/feedwatch.yaml.5"
chmod 0644 "$root/usr/share/man/man5/feedwatch.yaml.5"
gzip -9n "$root/usr/share/man/man1/feedwatch.1" "$root/usr/share/man/man5/feedwatch.yaml.5"

# Shell completions, from the argument parser.
completions=$staging/completions
mkdir -p "$completions"
"$root/usr/bin/feedwatch" --generate-completion-script bash >"$completions/feedwatch.bash"
"$root/usr/bin/feedwatch" --generate-completion-script zsh >"$completions/_feedwatch"
"$root/usr/bin/feedwatch" --generate-completion-script fish >"$completions/feedwatch.fish"
# bash-completion sources the file: it takes no #! line.
sed '1{/^#!/d}' "$completions/feedwatch.bash" >"$completions/feedwatch.bash-completion"
install -D -m 0644 "$completions/feedwatch.bash-completion" "$root/usr/share/bash-completion/completions/feedwatch"
install -D -m 0644 "$completions/_feedwatch" "$root/usr/share/zsh/vendor-completions/_feedwatch"
install -D -m 0644 "$completions/feedwatch.fish" "$root/usr/share/fish/vendor_completions.d/feedwatch.fish"

# Documentation: the copyright file and a changelog (a native package: changelog.gz).
doc=$root/usr/share/doc/feedwatch
install -D -m 0644 "$here/copyright" "$doc/copyright"
install -D -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/feedwatch"
{
    printf 'feedwatch (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Release %s.\n\n' "$version"
    printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$epoch")"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# Control files. Depends: the packages that hold the binary's shared libraries (dpkg-shlibdeps
# reads its NEEDED entries and the shlibs/symbols files of the installed libraries), plus procps
# for the unit's ExecReload=/bin/kill.
install -m 0644 "$here/conffiles" "$root/DEBIAN/conffiles"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"
shlib=$staging/shlibdeps
mkdir -p "$shlib/debian"
printf 'Source: feedwatch\n\nPackage: feedwatch\nArchitecture: %s\n' "$arch" >"$shlib/debian/control"
shlibs_depends=$(cd "$shlib" && dpkg-shlibdeps -O -e"$root/usr/bin/feedwatch" 2>"$staging/shlibdeps.log" |
    sed -n 's/^shlibs:Depends=//p') || { cat "$staging/shlibdeps.log" >&2; fail "dpkg-shlibdeps failed"; }
[ -n "$shlibs_depends" ] || fail "dpkg-shlibdeps found no dependencies"
depends="$shlibs_depends, procps"
installed_size=$(du -k -s --apparent-size --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
    -e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@DEPENDS@|$depends|" \
    "$here/control.in" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
    grep -zv '^etc/' | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

# Every file's time is the last commit's, so that two builds of one commit give the same package.
find "$root" -exec touch -h -d "@$epoch" {} +
dpkg-deb --root-owner-group -Zxz --build "$root" "$output" >/dev/null
echo "built $output ($(du -h "$output" | cut -f1)), Depends: $depends"
