#ifndef THUMBNAIL_CDEFLATE_SHIM_H
#define THUMBNAIL_CDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
