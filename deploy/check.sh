#!/usr/bin/env bash
# deploy/check.sh — checks the deployment kit, cheaply, on a Debian machine reaching only the Go module
# proxy, Debian's and npm's registries (CI runs it):
#
#   1. a static painscreen binary is built (CGO_ENABLED=0) and `painscreen serve -h` runs;
#   2. deploy/painscreen.service passes `systemd-analyze verify` (Debian package systemd), with
#      ExecStart pointed at that binary;
#   3. deploy/kubernetes.yaml is valid against the Kubernetes API schemas (npm package
#      kubernetes-models, pinned in deploy/k8s-validate/package-lock.json, run by node), and a
#      deliberately broken copy is refused (the validator is not a no-op);
#   4. deploy/Containerfile builds with buildah (Debian package buildah) FROM scratch, pulling no image,
#      into a throw-away storage; the image runs as a non-root user with a health check. Where buildah
#      cannot run (no user namespaces, no permission to mount), the step says so and is skipped — unless
#      PAINSCREEN_REQUIRE_BUILDAH=1, which makes it a failure.
#
# Usage: deploy/check.sh [--install]   (--install: apt-get/npm install what is missing first)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
install=0
[ "${1:-}" = --install ] && install=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/painscreen-deploy.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
step() { printf '\n== %s (at %ss)\n' "$*" "$SECONDS"; }
bad() { echo "FAIL: $*"; fail=1; }

need() { # need COMMAND DEBIAN-PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$install" = 1 ]; then
		apt-get install -y -qq "$2" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
	fi
	command -v "$1" >/dev/null 2>&1
}

step "1. static binary"
CGO_ENABLED=0 go build -trimpath -o "$tmp/painscreen" ./cmd/painscreen
if command -v ldd >/dev/null && ldd "$tmp/painscreen" 2>&1 | grep -q '=>'; then
	bad "the binary is dynamically linked"
fi
"$tmp/painscreen" serve -h >/dev/null || bad "painscreen serve -h"
echo "ok: $(du -h "$tmp/painscreen" | cut -f1) static binary"

step "2. systemd unit"
if need systemd-analyze systemd; then
	mkdir -p "$tmp/unit"
	sed "s|/usr/local/bin/painscreen|$tmp/painscreen|" deploy/painscreen.service >"$tmp/unit/painscreen.service"
	out=$(systemd-analyze verify "$tmp/unit/painscreen.service" 2>&1) || bad "systemd-analyze verify: $out"
	# Warnings about the unit itself count too (lines about other units of the host do not).
	if grep -q 'painscreen.service' <<<"$out"; then bad "systemd-analyze verify: $out"; fi
	for opt in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes CapabilityBoundingSet= ExecReload=; do
		grep -q "^$opt" deploy/painscreen.service || bad "painscreen.service lacks $opt"
	done
	[ "$fail" = 0 ] && echo "ok: systemd-analyze verify $(systemd-analyze --version | head -1 | cut -d' ' -f2)"
else
	bad "systemd-analyze not found (Debian package systemd; run with --install)"
fi

step "3. Kubernetes manifest"
if need node nodejs && need npm npm; then
	(cd deploy/k8s-validate && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) || bad "npm ci in deploy/k8s-validate"
	node deploy/k8s-validate/validate.mjs deploy/kubernetes.yaml || bad "deploy/kubernetes.yaml"
	sed -e 's/containerPort: 8080/containerPort: "8080"/' -e 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' \
		deploy/kubernetes.yaml >"$tmp/broken.yaml"
	if node deploy/k8s-validate/validate.mjs "$tmp/broken.yaml" >"$tmp/broken.out" 2>&1; then
		bad "the validator accepted a broken manifest"
	elif ! grep -q 'containerPort must be integer' "$tmp/broken.out" || ! grep -q 'read-only' "$tmp/broken.out"; then
		bad "the validator did not name the broken fields: $(cat "$tmp/broken.out")"
	else
		echo "ok: a broken copy is refused"
	fi
else
	bad "node/npm not found (Debian packages nodejs npm; run with --install)"
fi

step "4. container image (buildah, FROM scratch)"
if need buildah buildah; then
	mkdir -p "$tmp/ctx"
	cp deploy/Containerfile "$tmp/painscreen" "$tmp/ctx/"
	bah=(buildah --root "$tmp/storage" --runroot "$tmp/run" --storage-driver vfs)
	if "${bah[@]}" bud --isolation chroot --format docker --pull=never -t painscreen:check -f "$tmp/ctx/Containerfile" "$tmp/ctx" >"$tmp/buildah.log" 2>&1; then
		user=$("${bah[@]}" inspect --format '{{.OCIv1.Config.User}}' painscreen:check)
		health=$("${bah[@]}" inspect --format '{{.Docker.Config.Healthcheck.Test}}' painscreen:check)
		[ "$user" = 65532:65532 ] || bad "the image's user is '$user', not 65532:65532"
		grep -q "painscreen probe" <<<"$health" || bad "the image has no health check ($health)"
		echo "ok: image built, user $user, health check $health"
		"${bah[@]}" rmi -a >/dev/null 2>&1 || true
	elif grep -qiE 'user namespace|unshare|operation not permitted|mount|permission denied' "$tmp/buildah.log"; then
		echo "SKIPPED: buildah cannot run here (no user namespaces or no mount permission):"
		tail -3 "$tmp/buildah.log"
		[ "${PAINSCREEN_REQUIRE_BUILDAH:-0}" = 1 ] && bad "buildah is required (PAINSCREEN_REQUIRE_BUILDAH=1)"
	else
		bad "buildah bud: $(tail -5 "$tmp/buildah.log")"
	fi
else
	echo "SKIPPED: buildah not found (Debian package buildah; run with --install)"
	[ "${PAINSCREEN_REQUIRE_BUILDAH:-0}" = 1 ] && bad "buildah is required (PAINSCREEN_REQUIRE_BUILDAH=1)"
fi

echo
if [ "$fail" != 0 ]; then
	echo "deploy/check.sh: FAILED"
	exit 1
fi
echo "deploy/check.sh: all checks passed in ${SECONDS}s"
