// SPDX-License-Identifier: MIT
/* vmm_elf.c - ELF32 loading with every offset and size checked. */
#include "vmm_elf.h"
#include "tg_abi.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MB_SEARCH 8192	/* Multiboot: header within the first 8 KiB */

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int in_file(size_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

static int has_multiboot_header(const uint8_t *file, size_t len)
{
	for (size_t off = 0; off + 12 <= len && off + 12 <= MB_SEARCH;
	     off += 4) {
		uint32_t w[3];

		memcpy(w, file + off, sizeof(w));
		if (w[0] == TG_MB_HEADER_MAGIC && w[0] + w[1] + w[2] == 0)
			return 1;
	}
	return 0;
}

static int check_header(const uint8_t *file, size_t len, const Elf32_Ehdr *eh,
			char *err, size_t errlen)
{
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return fail(err, errlen, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS32 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_386)
		return fail(err, errlen, "not a 32-bit little-endian i386 ELF");
	if (eh->e_type != ET_EXEC)
		return fail(err, errlen, "not an executable ELF (e_type %u)",
			    eh->e_type);
	if (eh->e_phentsize != sizeof(Elf32_Phdr) || !eh->e_phnum ||
	    !in_file(len, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr)))
		return fail(err, errlen, "bad program header table");
	if (!has_multiboot_header(file, len))
		return fail(err, errlen, "no Multiboot v1 header in the first 8 KiB");
	return 0;
}

static int load_segment(const uint8_t *file, size_t len, const Elf32_Phdr *ph,
			uint8_t *mem, uint64_t mem_size,
			struct tg_elf_image *img, char *err, size_t errlen)
{
	uint64_t end = (uint64_t)ph->p_paddr + ph->p_memsz;

	if (ph->p_filesz > ph->p_memsz || !in_file(len, ph->p_offset, ph->p_filesz))
		return fail(err, errlen, "segment at 0x%x: bad file size or offset",
			    ph->p_paddr);
	if (ph->p_paddr < TG_IMAGE_BASE || end > mem_size)
		return fail(err, errlen,
			    "segment 0x%x-0x%llx is outside guest RAM [1M, 0x%llx)",
			    ph->p_paddr, (unsigned long long)end,
			    (unsigned long long)mem_size);
	if (img->nsegs == TG_ELF_MAX_SEGS)
		return fail(err, errlen, "more than %d loadable segments",
			    TG_ELF_MAX_SEGS);
	memcpy(mem + ph->p_paddr, file + ph->p_offset, ph->p_filesz);
	memset(mem + ph->p_paddr + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	img->seg_first[img->nsegs] = ph->p_paddr & ~(TG_PAGE_SIZE - 1);
	img->seg_end[img->nsegs] =
		(uint32_t)((end + TG_PAGE_SIZE - 1) & ~(uint64_t)(TG_PAGE_SIZE - 1));
	img->nsegs++;
	return 0;
}

static void get_shdr(const uint8_t *file, const Elf32_Ehdr *eh, unsigned i,
		     Elf32_Shdr *sh)
{
	memcpy(sh, file + eh->e_shoff + i * sizeof(*sh), sizeof(*sh));
}

static void note_symbol(const char *name, uint32_t value,
			struct tg_elf_image *img, int *have)
{
	if (!strcmp(name, "tg_stack_bottom")) {
		img->stack_lo = value;
		*have |= 1;
	} else if (!strcmp(name, "tg_stack_top")) {
		img->stack_hi = value;
		*have |= 2;
	}
}

/* Looks up the stack symbols; a stripped image simply has none. */
static void find_stack(const uint8_t *file, size_t len, const Elf32_Ehdr *eh,
		       struct tg_elf_image *img)
{
	int have = 0;

	if (eh->e_shentsize != sizeof(Elf32_Shdr) ||
	    !in_file(len, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr)))
		return;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		Elf32_Shdr sh, str;

		get_shdr(file, eh, i, &sh);
		if (sh.sh_type != SHT_SYMTAB || sh.sh_link >= eh->e_shnum)
			continue;
		get_shdr(file, eh, sh.sh_link, &str);
		if (!in_file(len, sh.sh_offset, sh.sh_size) ||
		    !in_file(len, str.sh_offset, str.sh_size))
			continue;
		for (size_t k = 0; k < sh.sh_size / sizeof(Elf32_Sym); k++) {
			const char *name;
			Elf32_Sym sym;

			memcpy(&sym, file + sh.sh_offset + k * sizeof(sym),
			       sizeof(sym));
			if (sym.st_name >= str.sh_size)
				continue;
			name = (const char *)file + str.sh_offset + sym.st_name;
			if (memchr(name, 0, str.sh_size - sym.st_name))
				note_symbol(name, sym.st_value, img, &have);
		}
	}
	img->has_stack = have == 3 && img->stack_lo < img->stack_hi;
}

int tg_elf_load(const uint8_t *file, size_t len, uint8_t *mem,
		uint64_t mem_size, struct tg_elf_image *img,
		char *err, size_t errlen)
{
	Elf32_Ehdr eh;
	int entry_ok = 0;

	memset(img, 0, sizeof(*img));
	if (len >= sizeof(eh))
		memcpy(&eh, file, sizeof(eh));
	if (check_header(file, len, &eh, err, errlen))
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf32_Phdr ph;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (load_segment(file, len, &ph, mem, mem_size, img, err, errlen))
			return -1;
		if (eh.e_entry >= ph.p_paddr && eh.e_entry - ph.p_paddr < ph.p_memsz)
			entry_ok = 1;
	}
	if (!img->nsegs)
		return fail(err, errlen, "no loadable segment");
	if (!entry_ok)
		return fail(err, errlen, "entry point 0x%x is in no segment",
			    eh.e_entry);
	img->entry = eh.e_entry;
	find_stack(file, len, &eh, img);
	return 0;
}
