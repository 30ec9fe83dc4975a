#ifndef THUMBNAIL_CLCMS2_SHIM_H
#define THUMBNAIL_CLCMS2_SHIM_H
#include <lcms2.h>

// lcms2's pixel format constants are macros built from function-like macros, which Swift does not
// import: the ones the tool uses, as constants.
static const cmsUInt32Number thumbnail_lcms_GRAY_8 = TYPE_GRAY_8;
static const cmsUInt32Number thumbnail_lcms_GRAYA_8 = TYPE_GRAYA_8;
static const cmsUInt32Number thumbnail_lcms_RGB_8 = TYPE_RGB_8;
static const cmsUInt32Number thumbnail_lcms_RGBA_8 = TYPE_RGBA_8;
static const cmsUInt32Number thumbnail_lcms_CMYK_8 = TYPE_CMYK_8;
static const cmsUInt32Number thumbnail_lcms_CMYK_8_REV = TYPE_CMYK_8_REV;
#endif
