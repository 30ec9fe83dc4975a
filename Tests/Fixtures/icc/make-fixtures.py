#!/usr/bin/python3
"""Makes the ICC fixtures (run from this folder; needs Debian's mate-backgrounds, colord-data,
python3-pil and liblcms2-2):

    make-fixtures.py            the committed fixtures
    make-fixtures.py cmyk OUT   a CMYK JPEG (or TIFF, OUT ending .tif) of ../exif-orientation/Landscape_1.jpg with
                                libjpeg-turbo's CMYK test profile (../jpeg/test1.icc) embedded,
                                made by the CMYK test at run time: the profile alone is 557 KB

Photos from mate-backgrounds (GPL-2+), downscaled with Lanczos, converted from sRGB into each
profile by Little CMS through Pillow's ImageCms (perceptual intent), the profile embedded.
ProPhoto RGB is colord's (CC0); Display P3 and the gamma-1.8 gray profile are built here with
Little CMS (cmsCreateRGBProfile / cmsCreateGrayProfile through ctypes).
"""
import ctypes, io, os, sys
import numpy as np
from PIL import Image, ImageCms

PHOTOS = "/usr/share/backgrounds/mate/nature/"
HERE = os.path.dirname(os.path.abspath(__file__))
PROPHOTO = "/usr/share/color/icc/colord/ProPhotoRGB.icc"
lcms = ctypes.CDLL("liblcms2.so.2")


class XYY(ctypes.Structure):
    _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double), ("Y", ctypes.c_double)]


def saved(profile):
    lcms.cmsSaveProfileToMem.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32)]
    size = ctypes.c_uint32(0)
    lcms.cmsSaveProfileToMem(profile, None, ctypes.byref(size))
    buffer = ctypes.create_string_buffer(size.value)
    lcms.cmsSaveProfileToMem(profile, buffer, ctypes.byref(size))
    lcms.cmsCloseProfile.argtypes = [ctypes.c_void_p]
    lcms.cmsCloseProfile(profile)
    return buffer.raw


def describe(profile, text):
    lcms.cmsMLUalloc.restype = ctypes.c_void_p
    lcms.cmsMLUalloc.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lcms.cmsMLUsetASCII.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]
    lcms.cmsWriteTag.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p]
    mlu = lcms.cmsMLUalloc(None, 1)
    lcms.cmsMLUsetASCII(mlu, b"en", b"US", text.encode())
    lcms.cmsWriteTag(profile, 0x64657363, mlu)  # 'desc'
    lcms.cmsWriteTag(profile, 0x63707274, mlu)  # 'cprt'


def srgb_curve():
    lcms.cmsBuildParametricToneCurve.restype = ctypes.c_void_p
    lcms.cmsBuildParametricToneCurve.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_double)]
    params = (ctypes.c_double * 5)(2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)
    return lcms.cmsBuildParametricToneCurve(None, 4, params)


def display_p3():
    """Display P3: DCI-P3 primaries, D65 white, sRGB's tone curve (Apple's definition)."""
    white = XYY(0.3127, 0.3290, 1.0)
    primaries = (XYY * 3)(XYY(0.680, 0.320, 1.0), XYY(0.265, 0.690, 1.0), XYY(0.150, 0.060, 1.0))
    curve = srgb_curve()
    curves = (ctypes.c_void_p * 3)(curve, curve, curve)
    lcms.cmsCreateRGBProfile.restype = ctypes.c_void_p
    lcms.cmsCreateRGBProfile.argtypes = [ctypes.POINTER(XYY), ctypes.POINTER(XYY), ctypes.c_void_p]
    profile = lcms.cmsCreateRGBProfile(ctypes.byref(white), primaries, curves)
    describe(profile, "Display P3 (thumbnail test profile, public domain)")
    return saved(profile)


def gray_gamma18():
    """Gray with a pure gamma 1.8 curve and D50 white: visibly unlike sRGB gray."""
    lcms.cmsBuildGamma.restype = ctypes.c_void_p
    lcms.cmsBuildGamma.argtypes = [ctypes.c_void_p, ctypes.c_double]
    lcms.cmsCreateGrayProfile.restype = ctypes.c_void_p
    lcms.cmsCreateGrayProfile.argtypes = [ctypes.POINTER(XYY), ctypes.c_void_p]
    white = XYY(0.3457, 0.3585, 1.0)
    profile = lcms.cmsCreateGrayProfile(ctypes.byref(white), lcms.cmsBuildGamma(None, 1.8))
    describe(profile, "Gray gamma 1.8 (thumbnail test profile, public domain)")
    return saved(profile)


def photo(name, width):
    im = Image.open(PHOTOS + name).convert("RGB")
    return im.resize((width, round(im.height * width / im.width)), Image.LANCZOS)


def into(im, profile_bytes):
    target = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes))
    return ImageCms.profileToProfile(im, ImageCms.createProfile("sRGB"), target,
                                     renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=im.mode)


def cmyk(out):
    profile = open(os.path.join(HERE, "../jpeg/test1.icc"), "rb").read()
    source = Image.open(os.path.join(HERE, "../exif-orientation/Landscape_1.jpg")).convert("RGB")
    source = source.resize((240, round(source.height * 240 / source.width)), Image.LANCZOS)
    im = ImageCms.profileToProfile(source, ImageCms.createProfile("sRGB"),
                                   ImageCms.ImageCmsProfile(io.BytesIO(profile)), outputMode="CMYK")
    if out.endswith(".tif"):
        im.save(out, compression="tiff_lzw", icc_profile=profile)
    else:
        im.save(out, quality=92, icc_profile=profile)


def main():
    if sys.argv[1:2] == ["cmyk"]:
        return cmyk(sys.argv[2])
    p3 = display_p3()
    open("display-p3.icc", "wb").write(p3)
    prophoto = open(PROPHOTO, "rb").read()
    into(photo("LadyBird.jpg", 320), prophoto).save("ladybird-prophoto.jpg", quality=92, icc_profile=prophoto)
    into(photo("LadyBird.jpg", 192), prophoto).save("ladybird-prophoto.png", icc_profile=prophoto)
    into(photo("FreshFlower.jpg", 320), p3).save("flower-p3.jpg", quality=92, icc_profile=p3)
    flower = into(photo("FreshFlower.jpg", 192), p3).convert("RGBA")
    # An alpha ramp, left to right: colour converted, alpha untouched.
    ramp = np.tile(np.linspace(0, 255, flower.width).round().astype(np.uint8), (flower.height, 1))
    flower.putalpha(Image.fromarray(ramp, "L"))
    flower.save("flower-p3-alpha.png", icc_profile=p3)
    gray = gray_gamma18()
    gray_photo = photo("Garden.jpg", 320).convert("L")


    # Gray pixels stored as gamma-1.8 values of the sRGB gray photo.
    arr = np.asarray(gray_photo, np.float64) / 255
    linear = np.where(arr <= 0.04045, arr / 12.92, ((arr + 0.055) / 1.055) ** 2.4)
    Image.fromarray(np.rint(255 * linear ** (1 / 1.8)).astype(np.uint8), "L").save("garden-gray18.jpg", quality=92, icc_profile=gray)
    # A profile whose header says RGB and whose tag table is garbage: Little CMS refuses it.
    broken = bytearray(prophoto[:128]) + bytes(range(256)) * 4
    broken[0:4] = len(broken).to_bytes(4, "big")
    photo("LadyBird.jpg", 160).save("broken-profile.jpg", quality=92, icc_profile=bytes(broken))


main()
