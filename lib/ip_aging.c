/* SPDX-License-Identifier: MIT */
/* ip_aging.c - the DAMON samplers that clear accessed bits (ip_aging.h). */
#include "ip_aging.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first word of a one-line sysfs file, or "" if it can't be read. */
static void read_word(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, " \n")] = '\0';
}

static void add(char *what, size_t len, const char *name)
{
	size_t used = strlen(what);

	snprintf(what + used, len - used, "%s%s", used ? ", " : "", name);
}

int ip_aging_peers(const char *sys_root, char *what, size_t len)
{
	const char *root = sys_root ? sys_root : "/sys";
	char path[512], word[32];
	struct dirent *e;
	DIR *d;
	int n = 0;

	what[0] = '\0';
	snprintf(path, sizeof(path), "%s/module/damon_stat/parameters/enabled",
		 root);
	read_word(path, word, sizeof(word));
	if (!strcmp(word, "Y")) {
		add(what, len, "DAMON_STAT (damon_stat.enabled=Y)");
		n++;
	}
	snprintf(path, sizeof(path), "%s/kernel/mm/damon/admin/kdamonds", root);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		char name[64];

		if (strspn(e->d_name, "0123456789") != strlen(e->d_name) ||
		    !e->d_name[0])
			continue;
		snprintf(path, sizeof(path),
			 "%s/kernel/mm/damon/admin/kdamonds/%s/state", root,
			 e->d_name);
		read_word(path, word, sizeof(word));
		if (strcmp(word, "on"))
			continue;
		snprintf(name, sizeof(name), "kdamond %s (DAMON sysfs)",
			 e->d_name);
		add(what, len, name);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}
