/* Intel ISA-L: the fast PNG path's inflate, CRC-32 and Adler-32 (Sources/CPNGShim/CPNGFast.c). */
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
