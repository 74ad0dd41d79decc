# SPDX-License-Identifier: GPL-3.0-or-later
# Prints how many entries Qt Quick holds in QQuickPointerHandlerPrivate::deviceDeliveryTargets
# for the primary pointing device of a running dashboard (Qt 6.4; no debug symbols needed):
#   gdb -p "$(pgrep -n -x callwatch)" -batch -nx -x bench/dashboard/delivery-targets.gdb
# With a HoverHandler under a resting pointer this grew by one entry per frame (issue 5,
# memory after an hour-long demo run); with HoverArea it stays at 0.
set $seat = (char *) malloc(32)
call (void *) memset($seat, 0, 32)
set $device = ((void *(*)(void *)) _ZN15QPointingDevice21primaryPointingDeviceERK7QString)($seat)
set $list = ((void *(*)(void *)) _ZN27QQuickPointerHandlerPrivate21deviceDeliveryTargetsEPK12QInputDevice)($device)
printf "deviceDeliveryTargets size %lld\n", *(long long *) ((char *) $list + 16)
call (void) free($seat)
