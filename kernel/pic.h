// pic.h: the two legacy 8259 interrupt controllers.
#pragma once
#include <stdbool.h>

void pic_init(void);
void pic_unmask(int irq);
void pic_mask(int irq);
void pic_disable(void);
void pic_eoi(int irq);
bool pic_is_spurious(int irq);
