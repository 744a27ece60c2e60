# shellcheck shell=bash
# Installs the Debian packages a command needs when they are missing (as root, or with sudo);
# anywhere else it stops and names the exact packages to install.

require_packages() {
    local missing=()
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: this needs the Debian packages: ${missing[*]} (or your system's equivalents) — install them and run again." >&2
        exit 1
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "error: missing Debian packages: ${missing[*]} — run: apt-get install -y ${missing[*]}" >&2
            exit 1
        fi
    fi
    echo "==> installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

require_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: Swift 6.1 or later is needed (https://www.swift.org/install/linux/)." >&2
        exit 1
    fi
}
