/* SPDX-License-Identifier: MIT */
/*
 * trap_stubs.S - one stub per CPU exception (vectors 0-31): push a zero
 * where the CPU pushes no error code, push the vector, call tg_trap(vec,
 * err, eip), which reports and stops.
 */
	.text
	.code32
trap_common:
	call tg_trap
1:	hlt
	jmp 1b

.macro STUB vec
stub\vec:
.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
.else
	pushl $0
.endif
	pushl $\vec
	jmp trap_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	STUB \v
.endr

	.section .rodata
	.align 4
	.globl tg_trap_stubs
tg_trap_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long stub\v
.endr

	.section .note.GNU-stack, "", @progbits
