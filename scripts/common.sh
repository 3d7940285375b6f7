# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the scripts that build mlo.ko and run it in guests.

MLO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$MLO_DIR/build}
MLO_SRC=${MLO_SRC:-$MLO_DIR}
export BUILD_DIR

# kernels [CHECK...]: the releases of the kernels of scripts/kernels.list
# that are here (installed by scripts/deps or fetched by scripts/kernel),
# in the list's order; only those whose check column is one of CHECK if
# given.
kernels()
{
	"$MLO_DIR/scripts/kernel" list "$@" | awk '$2 != "-" { print $2 }'
}

# kernel_env KVER: K_NAME, K_KVER, K_IMAGE, K_MODROOT, K_KDIR, K_KCC and
# K_SRCTAR of a kernel of the list (scripts/kernel env).
kernel_env()
{
	local out

	out=$("$MLO_DIR/scripts/kernel" env "$1") || return 1
	eval "$(echo "$out" | sed 's/^/K_/')"
}

# kmake KVER KDIR ARGS...: make for an external module against KDIR,
# with the compiler scripts/kernel names for KVER; the debug kernel
# (not in the list) is built with this machine's and has KUnit.
kmake()
{
	local kver=$1 kdir=$2 cc=

	shift 2
	if kernel_env "$kver" 2> /dev/null; then
		cc=$K_KCC
	else
		set -- MLO_KUNIT=y "$@"
	fi
	make -C "$kdir" ${cc:+CC=$cc} "$@"
}

# build_module KVER [KDIR]: build mlo.ko for KVER in build/KVER/; any
# compiler warning fails the build.
build_module()
{
	local kver=$1 kdir=${2:-} dir=$BUILD_DIR/$1

	if [ -z "$kdir" ]; then
		kernel_env "$kver" || return 1
		kdir=$K_KDIR
	fi
	mkdir -p "$dir"
	cp "$MLO_SRC"/mlo.c "$MLO_SRC"/mlo.h "$MLO_SRC"/mlo_kunit.c \
	   "$MLO_SRC"/Kbuild "$dir"/
	if ! kmake "$kver" "$kdir" M="$dir" modules > "$dir/build.log" 2>&1 ||
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
