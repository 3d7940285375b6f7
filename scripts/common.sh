# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the scripts that build mlo.ko and run it in guests.

MLO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$MLO_DIR/build}
MLO_SRC=${MLO_SRC:-$MLO_DIR}
export BUILD_DIR

# kernels: the installed kernels that can be booted and built for.
kernels()
{
	local img kver

	for img in /boot/vmlinuz-*; do
		kver=${img#/boot/vmlinuz-}
		[ -e "/lib/modules/$kver/build/Makefile" ] && echo "$kver"
	done | sort -V
}

# build_module KVER [KDIR]: build mlo.ko for KVER in build/KVER/; any
# compiler warning fails the build.
build_module()
{
	local kver=$1 kdir=${2:-/lib/modules/$1/build} dir=$BUILD_DIR/$1

	mkdir -p "$dir"
	cp "$MLO_SRC"/mlo.c "$MLO_SRC"/mlo.h "$MLO_SRC"/mlo_kunit.c \
	   "$MLO_SRC"/Kbuild "$dir"/
	if ! make -C "$kdir" M="$dir" modules > "$dir/build.log" 2>&1 ||
	   grep -q 'warning:' "$dir/build.log"; then
		cat "$dir/build.log" >&2
		return 1
	fi
}

# install_job KVER: shell lines that install build/KVER/mlo.ko (and
# mlo_kunit.ko where built) into the guest's (overlay) /lib/modules so
# modprobe and autoloading find them.
install_job()
{
	cat <<EOT
mkdir -p /lib/modules/$1/extra
cp "$BUILD_DIR/$1/"mlo*.ko /lib/modules/$1/extra/
depmod -a $1
EOT
}
