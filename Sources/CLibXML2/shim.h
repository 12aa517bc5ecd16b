// libxml2 for Swift. xmlversion.h comes first so that ICU support can be switched off before the
// other headers see it: their ICU types clash with Foundation's own copy of ICU.
#ifndef FEEDWATCH_CLIBXML2_SHIM_H
#define FEEDWATCH_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/encoding.h>
#include <libxml/xmlIO.h>
#include <libxml/uri.h>

// xmlFree is a global function pointer, which Swift 6 refuses as not concurrency-safe.
static inline void clibxml2_free(void *p) { xmlFree(p); }

// The generic error callback is variadic, which Swift cannot define: a do-nothing one lives here.
static void clibxml2_silent_generic_error(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

static void clibxml2_silent_structured_error(void *ctx, xmlErrorPtr error) {
    (void)ctx;
    (void)error;
}

// Refuses every external entity, DTD and XInclude: on libxml2 2.9.14 XML_PARSE_NONET still lets
// file:// (and plain paths, FIFOs included) through, so nothing may be opened on a document's behalf.
static xmlParserInputPtr clibxml2_refuse_external_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

// Process-wide: the entity loader is one global in libxml2.
static inline void clibxml2_harden_process(void) {
    xmlInitParser();
    xmlSetExternalEntityLoader(clibxml2_refuse_external_entity);
}

// Per thread: libxml2 keeps its error callbacks in thread-local globals, so every parsing thread
// silences them itself before it parses. Nothing is ever printed to stderr.
static inline void clibxml2_silence_thread(void) {
    xmlSetGenericErrorFunc(NULL, clibxml2_silent_generic_error);
    xmlSetStructuredErrorFunc(NULL, clibxml2_silent_structured_error);
}
#endif
