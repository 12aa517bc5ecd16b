// libxml2 for Swift. xmlversion.h comes first so that ICU support can be switched off before the
// other headers see it: their ICU types clash with Foundation's own copy of ICU.
#ifndef FEEDWATCH_CLIBXML2_SHIM_H
#define FEEDWATCH_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/encoding.h>
#include <libxml/xmlIO.h>

// xmlFree is a global function pointer, which Swift 6 refuses as not concurrency-safe.
static inline void clibxml2_free(void *p) { xmlFree(p); }
#endif
