#ifndef THUMBNAIL_CSECCOMP_SHIM_H
#define THUMBNAIL_CSECCOMP_SHIM_H
#include <seccomp.h>
#endif
