/* Generated from core/abi.ts and core/constants.ts by tools/gen-inline.mjs: edit those, then run it (npm run build does). */
#ifndef IOPORT_IRQCAPTURE_ABI_H
#define IOPORT_IRQCAPTURE_ABI_H
#define IOPORT_COMPLETION_SIZE 24
#define IOPORT_CQE_W_USER_DATA 0
#define IOPORT_CQE_W_RESULT 2
#define IOPORT_CQE_W_FLAGS 4
#define IOPORT_CQE_W_OPCODE 5
#define IOPORT_IRQ_EVENT_SIZE 16
#define IOPORT_IRQ_EV_W_TIMESTAMP 0
#define IOPORT_IRQ_EV_W_COUNT 2
#define IOPORT_IRQ_EV_W_LEVEL 3
#define IOPORT_IOCQE_F_MORE 1
#define IOPORT_LANE_ONESHOT 1
#define IOPORT_LANE_ONCE 2
#endif
