/* SPDX-License-Identifier: MIT */
/*
 * policy_xml.c - the JSON text of a policy <metadata> element (see
 * policy_xml.h): the element's content with CDATA sections and the XML
 * entities undone; anything else (child elements, comments, a broken
 * entity) is refused with a reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_xml.h"

static const struct {
	const char *name;
	char c;
} entities[] = {
	{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' },
	{ "apos;", '\'' },
};

/* One entity after '&' at s: its character into *out (ASCII only). */
static const char *entity(const char *s, char *out)
{
	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		size_t n = strlen(entities[i].name);

		if (!strncmp(s, entities[i].name, n)) {
			*out = entities[i].c;
			return s + n;
		}
	}
	if (s[0] == '#') {
		char *end;
		unsigned long v = s[1] == 'x' ? strtoul(s + 2, &end, 16) :
				  strtoul(s + 1, &end, 10);

		if (*end == ';' && end > s + 1 + (s[1] == 'x') &&
		    v > 0 && v < 0x80) {
			*out = (char)v;
			return end + 1;
		}
	}
	return NULL;
}

char *policy_xml_text(const char *xml, char *err, size_t errlen)
{
	const char *p = xml + strspn(xml, " \t\r\n"), *gt, *end;
	char *out, *o;

	if (*p != '<' || p[1] == '/' || p[1] == '!' || p[1] == '?') {
		snprintf(err, errlen, "the metadata is not one XML element");
		return NULL;
	}
	gt = strchr(p, '>');
	if (!gt) {
		snprintf(err, errlen, "the metadata element's start tag is not closed");
		return NULL;
	}
	if (gt[-1] == '/')
		return strdup("");	/* <policy/>: empty, the JSON parser says so */
	end = strrchr(gt, '<');
	if (!end || end[1] != '/') {
		snprintf(err, errlen, "the metadata element has no end tag");
		return NULL;
	}
	out = o = malloc((size_t)(end - gt) + 1);
	if (!out) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (p = gt + 1; p < end;) {
		if (!strncmp(p, "<![CDATA[", 9)) {
			const char *close = strstr(p + 9, "]]>");

			if (!close || close >= end) {
				snprintf(err, errlen, "a CDATA section in the policy element is not closed");
				goto fail;
			}
			memcpy(o, p + 9, (size_t)(close - p - 9));
			o += close - p - 9;
			p = close + 3;
		} else if (*p == '<') {
			snprintf(err, errlen, "the policy element must hold JSON text, not other XML (found '%.20s')",
				 p);
			goto fail;
		} else if (*p == '&') {
			p = entity(p + 1, o);
			if (!p) {
				snprintf(err, errlen, "an XML entity in the policy element is not one of &amp; &lt; &gt; &quot; &apos; or an ASCII &#N;");
				goto fail;
			}
			o++;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
fail:
	free(out);
	return NULL;
}
