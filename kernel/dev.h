// dev.h: device files in /dev.
#pragma once
#include <stdint.h>
struct file_ops;
void dev_init(void);                                  // makes /dev and its nodes
const struct file_ops *dev_file_ops(uint32_t rdev);   // NULL: no such device (ENXIO)
