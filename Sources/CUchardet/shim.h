// uchardet (Mozilla's universal charset detector, as packaged by freedesktop.org) for Swift.
#ifndef FEEDWATCH_CUCHARDET_SHIM_H
#define FEEDWATCH_CUCHARDET_SHIM_H
#include <uchardet/uchardet.h>
#endif
