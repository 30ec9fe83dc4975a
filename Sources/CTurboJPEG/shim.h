#ifndef THUMBNAIL_CTURBOJPEG_SHIM_H
#define THUMBNAIL_CTURBOJPEG_SHIM_H
// TurboJPEG reports errors through return codes, so it needs no C shim; TJSCALED is a macro
// Swift cannot call, and is re-implemented in Swift (ShrinkPlan).
#include <stddef.h>
#include <turbojpeg.h>
#endif
