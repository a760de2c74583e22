#!/usr/bin/env bash
# The .deb from CPack holds the binary, the default config, the systemd unit, its
# environment file and the descriptor set; it installs into a temporary root with
# dpkg, where the binary runs, the config validates, the descriptor set decodes and
# `systemd-analyze verify` accepts the unit. `DESTDIR=... cmake --install` installs
# the same files.
#   package_test.sh BINARY_DIR
set -euo pipefail
B="$(cd "$1" && pwd)"
PY="${NEWSD_PYTHON:-/usr/bin/python3}"
T="$(mktemp -d "${TMPDIR:-/tmp}/newsd-package-test.XXXXXX")"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --build "$B" --target newsd newsd_descriptor_set >/dev/null
cpack --config "$B/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1 || { cat "$T/cpack.log"; fail cpack; }
deb="$(ls "$T"/pkg/newsd_*.deb)"
echo "package: $(basename "$deb")"

# Contents and control fields.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#' | sort >"$T/deb-files"
for f in /usr/bin/newsd /etc/newsd/newsd.textproto /etc/default/newsd \
         /lib/systemd/system/newsd.service /lib/systemd/system/newsd@.service \
         /usr/share/newsd/newsd.desc \
         /usr/share/newsd/proto/newsd/v1/event.proto /usr/share/newsd/prometheus/newsd.rules.yml \
         /usr/share/newsd/grafana/newsd-dashboard.json /usr/share/newsd/examples/consume_events.py; do
  grep -qx "$f" "$T/deb-files" || fail "$f missing from the package"
done
[ "$(dpkg-deb -f "$deb" Package)" = newsd ] || fail "Package field"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for lib in librdkafka libprotobuf libprometheus-cpp-core libicu libcld2; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
dpkg-deb -e "$deb" "$T/control"
grep -qx /etc/newsd/newsd.textproto "$T/control/conffiles" || fail "config is not a conffile"
grep -qx /etc/default/newsd "$T/control/conffiles" || fail "env file is not a conffile"

# Install into a temporary root with dpkg itself.
R="$T/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
dpkg --root="$R" --force-depends --force-not-root --force-script-chrootless \
     --log="$T/dpkg.log" -i "$deb" >"$T/dpkg.out" 2>&1 || { cat "$T/dpkg.out"; fail "dpkg -i"; }
dpkg --root="$R" -s newsd | grep -q "^Status: install ok installed" || fail "dpkg status"
"$R/usr/bin/newsd" validate-config "$R/etc/newsd/newsd.textproto" | grep -q ": OK" || fail validate-config
"$R/usr/bin/newsd" extract --published-at 2013-09-12T12:00:00Z \
    "${NEWSD_CORPUS_DIR:-$B/../../shared/corpus}/seed/lavrov-syria-2013.txt" | grep -q '"language"' \
  || fail "installed binary cannot extract the seed article"

# The descriptor set: self-contained (imports included), has the event and config types.
"$PY" - "$R/usr/share/newsd/newsd.desc" <<'PYEOF'
import sys
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
fds = descriptor_pb2.FileDescriptorSet()
fds.ParseFromString(open(sys.argv[1], "rb").read())
pool = descriptor_pool.DescriptorPool()
for f in fds.file:
    pool.Add(f)  # fails if an import is missing (--include_imports)
names = {f.name for f in fds.file}
assert "newsd/v1/event.proto" in names and "newsd/v1/config.proto" in names, names
event = pool.FindMessageTypeByName("newsd.v1.ArticleEvent")
assert "article" in event.fields_by_name, event.fields_by_name.keys()
cls = message_factory.MessageFactory(pool).GetPrototype(event)
msg = cls()
msg.article.id = "reuters21578-1"
assert cls.FromString(msg.SerializeToString()).article.id == "reuters21578-1"
print("descriptor set: %d files, newsd.v1.ArticleEvent ok" % len(fds.file))
PYEOF

# The systemd unit, pointed at the temporary root.
mkdir -p "$T/unit"
sed -e "s#/usr/bin/newsd#$R/usr/bin/newsd#g" -e "s#/etc/default/newsd#$R/etc/default/newsd#g" \
    "$R/lib/systemd/system/newsd.service" >"$T/unit/newsd.service"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify --man=no "$T/unit/newsd.service" 2>&1 | tee "$T/verify.log"
  [ ! -s "$T/verify.log" ] || fail "systemd-analyze verify reported problems"
fi
grep -q '^NoNewPrivileges=yes' "$T/unit/newsd.service" || fail NoNewPrivileges
grep -q '^ProtectSystem=strict' "$T/unit/newsd.service" || fail ProtectSystem
grep -q '^EnvironmentFile=-/' "$T/unit/newsd.service" || fail EnvironmentFile

# The template, as instance "eu": its own instance name, shared lock directory.
sed -e "s#/usr/bin/newsd#$R/usr/bin/newsd#g" -e "s#/etc/default/newsd#$R/etc/default/newsd#g" \
    "$R/lib/systemd/system/newsd@.service" >"$T/unit/newsd@eu.service"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify --man=no "$T/unit/newsd@eu.service" 2>&1 | tee "$T/verify-template.log"
  [ ! -s "$T/verify-template.log" ] || fail "systemd-analyze verify (template) reported problems"
fi
grep -q -- '--instance %i' "$T/unit/newsd@eu.service" || fail "template: --instance %i"
grep -q '^RuntimeDirectory=newsd$' "$T/unit/newsd@eu.service" || fail "template: RuntimeDirectory"
grep -q '^RuntimeDirectoryPreserve=yes' "$T/unit/newsd@eu.service" || fail "template: preserve"
grep -q '^EnvironmentFile=-/etc/newsd/credentials.env' "$T/unit/newsd@eu.service" \
  || fail "template: credentials.env"

# cmake --install (prefix /usr, as the package) with DESTDIR installs the same files.
DESTDIR="$T/destdir" cmake --install "$B" --prefix /usr >/dev/null
(cd "$T/destdir" && find . -type f | sed 's#^\./#/#' | sort) >"$T/install-files"
grep -v '/$' "$T/deb-files" | while read -r f; do [ -d "$T/destdir$f" ] || echo "$f"; done \
  | sort >"$T/deb-regular"
diff "$T/deb-regular" "$T/install-files" || fail "cmake --install and the .deb differ"
echo "PASS: $(wc -l <"$T/install-files") files"
