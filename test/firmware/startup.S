/* startup.S - reset for the test firmware on QEMU's MPS2/MPS3 boards.
 *
 * The vector table gives the initial stack and the reset handler, which
 * turns the FPU on (the model code is compiled for hard float) and hands
 * over to newlib's semihosting crt0 (_start in rdimon: bss, constructors,
 * main with the arguments QEMU's -semihosting-config passes, exit). A fault
 * stops the program through semihosting with an error.
 */
    .syntax unified
    .thumb

    .section .vectors, "a"
    .word __stack_top
    .word reset_handler
    .rept 14
    .word fault_handler
    .endr

    .text
    .thumb_func
    .global reset_handler
reset_handler:
    ldr r0, =0xE000ED88          /* CPACR */
    ldr r1, [r0]
    orr r1, r1, #(0xF << 20)     /* CP10, CP11: full access */
    str r1, [r0]
    dsb
    isb
    b _start

/* newlib's init and fini arrays call these; the firmware needs nothing
 * more from them. */
    .thumb_func
    .global _init
_init:
    bx lr
    .thumb_func
    .global _fini
_fini:
    bx lr

    .thumb_func
fault_handler:
    movs r0, #0x18               /* SYS_EXIT */
    ldr r1, =0x20023             /* ADP_Stopped_InternalError */
    bkpt 0xab
1:  b 1b
