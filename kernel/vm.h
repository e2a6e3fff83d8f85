// vm.h: virtual memory. For now: just what boot needs after the jump to the higher half.
#pragma once
void vm_drop_identity_map(void);
