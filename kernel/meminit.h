// meminit.h: taking over all of RAM at boot.
#pragma once
#include "bootinfo.h"
void mem_init(const struct boot_info *bi);
