/* SPDX-License-Identifier: MIT */
/*
 * entry.S - Multiboot v1 header and the guest's first instructions: own
 * GDT, flat segments, zeroed bss, stack, then tg_main(magic, mbi).
 * Multiboot enters in 32-bit protected mode with paging off, EAX = magic,
 * EBX = multiboot info; nothing else (GDT, stack) may be relied on.
 */
#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0x00000003	/* align modules, want memory info; ELF */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	movl %eax, %esi			/* keep the magic across rep stos */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $tg_stack_top, %esp
	pushl %ebx
	pushl %esi
	call tg_main
2:	hlt
	jmp 2b

	.section .rodata
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, base 0, 4 GiB, 32-bit */
	.quad 0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.section .bss.stack, "aw", @nobits
	.align 16
	.globl tg_stack_bottom, tg_stack_top
tg_stack_bottom:
	.skip 8192
tg_stack_top:

	.section .note.GNU-stack, "", @progbits
