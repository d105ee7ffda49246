/* SPDX-License-Identifier: MIT */
/*
 * policy_xml.h - a domain's policy kept in the domain's own XML, in a
 * <metadata> element of our namespace (libvirt's place for an
 * application's data; it travels with the domain when it migrates):
 *
 *   virsh metadata web1 --uri http://vmm-agent.org/xmlns/policy/1 \
 *     --key vmm --set '<policy>{"dram_nodes": [0], ...}</policy>' \
 *     --live --config
 *
 * The element's text is the same JSON as a policy file; XML entities
 * (&amp; &lt; ...) and CDATA sections in it are undone.
 */
#ifndef VMM_POLICY_XML_H
#define VMM_POLICY_XML_H

#include <stddef.h>

#define POLICY_XML_NS	"http://vmm-agent.org/xmlns/policy/1"

/*
 * The JSON text of the metadata element xml (as virDomainGetMetadata
 * gives it); free() it. NULL with err: not one element holding text.
 */
char *policy_xml_text(const char *xml, char *err, size_t errlen);

#endif /* VMM_POLICY_XML_H */
