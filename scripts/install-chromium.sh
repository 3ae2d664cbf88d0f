#!/usr/bin/env bash
# Installs what the headless-Chromium page test (test/page/page.browser.test.ts) needs: Debian's `chromium`
# (driven by puppeteer-core; no browser download) and a colour emoji font, so the cards' ✅ ❌ ❔ marks render
# in the screenshots. Idempotent: does nothing when both are there. Never fails the caller: where it cannot
# install (not root and no passwordless sudo, no apt-get) it says why and exits 0, and the page test is skipped
# with a message saying the same.
set -u

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if ! dpkg-query -W -f='${Status}' fonts-noto-color-emoji 2>/dev/null | grep -q 'install ok installed'; then
  need+=(fonts-noto-color-emoji)
fi
if [ ${#need[@]} -eq 0 ]; then
  echo "install-chromium: /usr/bin/chromium and the emoji font are installed; nothing to do"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get on this machine; install Chromium yourself and set CHROMIUM_PATH. The page test is skipped until then."
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "install-chromium: need root or passwordless sudo to apt-get install ${need[*]}. The page test is skipped until then."
  exit 0
fi

echo "install-chromium: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get update -qq || ! "${SUDO[@]}" apt-get install -y -qq "${need[@]}"; then
  echo "install-chromium: apt-get could not install ${need[*]} (see above). The page test is skipped where Chromium is missing."
  exit 0
fi
[ -x /usr/bin/chromium ] && /usr/bin/chromium --version 2>/dev/null || true
exit 0
