/*
 * decode-floor: the "decode floor" for `thumbnail`'s benchmark.
 *
 * It does only the part of the tool's work no thumbnailer built on the same libraries can skip:
 * reading each file and decoding it, with the same libraries and the same shrink-on-load rule as
 * the tool, spread over the same number of worker processes. No blur, no resample, no encode, no
 * write. `thumbnail`'s time divided by this one is its overhead over a bare decode.
 *
 *   decode-floor [--size WxH] [--jobs N] INPUT...
 *
 * INPUT is a file or a folder (a folder gives the JPEG and PNG files directly in it, recognised by
 * their first bytes, hidden files skipped). JPEGs: tjDecompressHeader3 + tjDecompress2 at the
 * smallest DCT scale s in {1,2,4,8}/8 with ceil(w*s/8) >= 2*outW and ceil(h*s/8) >= 2*outH, where
 * outW x outH is Pillow's Image.thumbnail size of the box, to RGB (GRAY for gray JPEGs, CMYK for
 * CMYK/YCCK). PNGs: libpng, palette/gray/tRNS expanded and 16 bits scaled to 8, read row by row
 * into one row buffer (interlaced ones whole, as the tool does).
 *
 * The N workers are forked before any file is opened. The parent then sorts the files by size,
 * largest first, and queues their indexes on a pipe; each idle worker takes the next one. Workers
 * report their counts on a second pipe. A summary goes to stderr; exit 1 if any file failed.
 *
 * Build: cc -O2 -o decode-floor decode-floor.c $(pkg-config --cflags --libs libturbojpeg libpng)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <turbojpeg.h>
#include <unistd.h>

typedef struct {
    char *path;
    off_t size;
} input_file;

typedef struct {
    long decoded;
    long failed;
    long long pixels; /* decoded pixels (after shrink-on-load) */
} worker_report;

static input_file *files;
static size_t nfiles, capfiles;

static void add_file(const char *path, off_t size) {
    if (nfiles == capfiles) {
        capfiles = capfiles ? capfiles * 2 : 64;
        files = realloc(files, capfiles * sizeof(*files));
        if (!files) { perror("realloc"); exit(2); }
    }
    files[nfiles].path = strdup(path);
    files[nfiles].size = size;
    nfiles++;
}

enum { FMT_NONE, FMT_JPEG, FMT_PNG };

static int sniff(const char *path) {
    unsigned char b[8] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return FMT_NONE;
    size_t n = fread(b, 1, 8, f);
    fclose(f);
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return FMT_JPEG;
    if (n == 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) return FMT_PNG;
    return FMT_NONE;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *input) {
    struct stat st;
    if (stat(input, &st) != 0) {
        fprintf(stderr, "decode-floor: %s: %s\n", input, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        add_file(input, st.st_size);
        return;
    }
    DIR *dir = opendir(input);
    if (!dir) {
        fprintf(stderr, "decode-floor: %s: %s\n", input, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof(*names));
        }
        names[count++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof(*names), by_name);
    size_t len = strlen(input);
    int slash = len > 0 && input[len - 1] == '/';
    for (size_t i = 0; i < count; i++) {
        char *path;
        if (asprintf(&path, "%s%s%s", input, slash ? "" : "/", names[i]) < 0) exit(2);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && sniff(path) != FMT_NONE) add_file(path, st.st_size);
        free(path);
        free(names[i]);
    }
    free(names);
}

/* Pillow's Image.thumbnail size (preserve_aspect_ratio), as the tool's ThumbnailSize.fit. */
static void fit(int w, int h, int bw, int bh, int *ow, int *oh) {
    if (bw <= 0) bw = w;
    if (bh <= 0) bh = h;
    if (bw >= w && bh >= h) { *ow = w; *oh = h; return; }
    double aspect = (double)w / (double)h;
    int x = bw, y = bh;
    if ((double)x / (double)y >= aspect) {
        double n = (double)y * aspect;
        int lo = (int)floor(n), hi = (int)ceil(n);
        double klo = fabs(aspect - (double)lo / y), khi = fabs(aspect - (double)hi / y);
        x = khi < klo ? hi : lo;
        if (x < 1) x = 1;
    } else {
        double n = (double)x / aspect;
        int lo = (int)floor(n), hi = (int)ceil(n);
        double klo = lo == 0 ? 0 : fabs(aspect - (double)x / lo);
        double khi = hi == 0 ? 0 : fabs(aspect - (double)x / hi);
        y = khi < klo ? hi : lo;
        if (y < 1) y = 1;
    }
    *ow = x;
    *oh = y;
}

static int scaled(int side, int eighths) { return (side * eighths + 7) / 8; }

static int box_w, box_h;

/* Whole-file buffer, reused across files (the tool also reads each JPEG whole). */
static unsigned char *filebuf;
static size_t filecap;

static int read_whole(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) { fclose(f); return -1; }
    size_t want = (size_t)st.st_size;
    if (want > filecap) {
        free(filebuf);
        filecap = want;
        filebuf = malloc(filecap ? filecap : 1);
        if (!filebuf) { fclose(f); filecap = 0; return -1; }
    }
    size_t got = fread(filebuf, 1, want, f);
    fclose(f);
    if (got != want) return -1;
    *len = got;
    return 0;
}

static int decode_jpeg(tjhandle tj, const char *path, long long *pixels) {
    size_t len;
    if (read_whole(path, &len) != 0) return -1;
    int w, h, samp, cs;
    if (tjDecompressHeader3(tj, filebuf, (unsigned long)len, &w, &h, &samp, &cs) != 0) {
        fprintf(stderr, "decode-floor: %s: %s\n", path, tjGetErrorStr2(tj));
        return -1;
    }
    int ow, oh;
    fit(w, h, box_w, box_h, &ow, &oh);
    static const int scales[] = {1, 2, 4, 8};
    int s = 8;
    for (int i = 0; i < 4; i++) {
        if (scaled(w, scales[i]) >= 2 * ow && scaled(h, scales[i]) >= 2 * oh) { s = scales[i]; break; }
    }
    int dw = scaled(w, s), dh = scaled(h, s);
    int pf = TJPF_RGB, ch = 3;
    if (cs == TJCS_GRAY) { pf = TJPF_GRAY; ch = 1; }
    else if (cs == TJCS_CMYK || cs == TJCS_YCCK) { pf = TJPF_CMYK; ch = 4; }
    unsigned char *out = malloc((size_t)dw * dh * ch);
    if (!out) return -1;
    int rc = tjDecompress2(tj, filebuf, (unsigned long)len, out, dw, 0, dh, pf, 0);
    if (rc != 0 && tjGetErrorCode(tj) != TJERR_WARNING) {
        fprintf(stderr, "decode-floor: %s: %s\n", path, tjGetErrorStr2(tj));
        free(out);
        return -1;
    }
    free(out);
    *pixels += (long long)dw * dh;
    return 0;
}

static void png_err(png_structp png, png_const_charp msg) {
    const char *path = png_get_error_ptr(png);
    fprintf(stderr, "decode-floor: %s: %s\n", path ? path : "?", msg);
    png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

static int decode_png(const char *path, long long *pixels) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, (png_voidp)path, png_err, png_warn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    /* volatile: changed after setjmp and read after a longjmp. */
    unsigned char *volatile row = NULL;
    unsigned char *volatile image = NULL;
    if (!png || !info || setjmp(png_jmpbuf(png))) {
        free(row);
        free(image);
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        fclose(f);
        return -1;
    }
    png_init_io(png, f);
    png_read_info(png, info);
    png_uint_32 w, h;
    int depth, ct, interlace;
    png_get_IHDR(png, info, &w, &h, &depth, &ct, &interlace, NULL, NULL);
    if (ct == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (ct == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (depth == 16) png_set_scale_16(png);
    int passes = interlace != PNG_INTERLACE_NONE ? png_set_interlace_handling(png) : 1;
    png_read_update_info(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (passes > 1) {
        /* Adam7 cannot be reduced row by row: read whole, as the tool does. */
        image = malloc(rowbytes * h);
        png_bytepp rows = malloc(sizeof(png_bytep) * (h ? h : 1));
        if (!image || !rows) png_error(png, "out of memory");
        for (png_uint_32 y = 0; y < h; y++) rows[y] = image + (size_t)y * rowbytes;
        png_read_image(png, rows);
        free(rows);
    } else {
        row = malloc(rowbytes);
        if (!row) png_error(png, "out of memory");
        for (png_uint_32 y = 0; y < h; y++) png_read_row(png, row, NULL);
    }
    free(row);
    free(image);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    *pixels += (long long)w * h;
    return 0;
}

static void worker(int queue_fd, int report_fd) {
    tjhandle tj = tjInitDecompress();
    worker_report rep = {0, 0, 0};
    uint32_t index;
    for (;;) {
        ssize_t n = read(queue_fd, &index, sizeof index);
        if (n < 0 && errno == EINTR) continue;
        if (n != (ssize_t)sizeof index) break; /* queue closed and empty */
        const char *path = files[index].path;
        int rc;
        switch (sniff(path)) {
        case FMT_JPEG: rc = tj ? decode_jpeg(tj, path, &rep.pixels) : -1; break;
        case FMT_PNG: rc = decode_png(path, &rep.pixels); break;
        default:
            fprintf(stderr, "decode-floor: %s: not a JPEG or PNG\n", path);
            rc = -1;
        }
        if (rc == 0) rep.decoded++;
        else rep.failed++;
    }
    if (tj) tjDestroy(tj);
    if (write(report_fd, &rep, sizeof rep) != (ssize_t)sizeof rep) _exit(3);
    _exit(0);
}

/* Largest first; equal sizes keep name order. */
static int by_size_desc(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    off_t sx = files[x].size, sy = files[y].size;
    if (sx != sy) return sx < sy ? 1 : -1;
    return (x > y) - (x < y);
}

static void usage(void) {
    fprintf(stderr, "usage: decode-floor [--size WxH] [--jobs N] INPUT...\n");
    exit(64);
}

static int parse_box(const char *s) {
    /* WxH, Wx or xH */
    char *end;
    const char *x = strpbrk(s, "xX");
    if (!x) return -1;
    box_w = x == s ? 0 : (int)strtol(s, &end, 10);
    if (x != s && end != x) return -1;
    box_h = x[1] ? (int)strtol(x + 1, &end, 10) : 0;
    if (x[1] && *end) return -1;
    if (box_w < 0 || box_h < 0 || (box_w == 0 && box_h == 0)) return -1;
    return 0;
}

int main(int argc, char **argv) {
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    box_w = box_h = 50;
    int i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc) {
            if (parse_box(argv[++i]) != 0) usage();
        } else if (!strncmp(argv[i], "--size=", 7)) {
            if (parse_box(argv[i] + 7) != 0) usage();
        } else if (!strcmp(argv[i], "--jobs") && i + 1 < argc) {
            jobs = strtol(argv[++i], NULL, 10);
        } else if (!strncmp(argv[i], "--jobs=", 7)) {
            jobs = strtol(argv[i] + 7, NULL, 10);
        } else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            usage();
        } else {
            break;
        }
    }
    if (i >= argc || jobs < 1) usage();
    for (; i < argc; i++) walk(argv[i]);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((size_t)jobs > nfiles) jobs = nfiles ? (long)nfiles : 1;

    int queue[2], report[2];
    if (pipe(queue) != 0 || pipe(report) != 0) { perror("pipe"); return 2; }
    for (long j = 0; j < jobs; j++) {
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 2; }
        if (pid == 0) {
            close(queue[1]);
            close(report[0]);
            worker(queue[0], report[1]);
        }
    }
    close(queue[0]);
    close(report[1]);

    /* Largest first, as the tool dispatches. The pipe holds 16k indexes; beyond that the parent
       blocks until workers take some, which is fine. 4-byte writes and reads are atomic. */
    uint32_t *order = malloc(sizeof(uint32_t) * (nfiles ? nfiles : 1));
    if (!order) { perror("malloc"); return 2; }
    for (size_t k = 0; k < nfiles; k++) order[k] = (uint32_t)k;
    qsort(order, nfiles, sizeof(uint32_t), by_size_desc);
    for (size_t k = 0; k < nfiles; k++) {
        if (write(queue[1], &order[k], sizeof order[k]) != (ssize_t)sizeof order[k]) { perror("write"); return 2; }
    }
    close(queue[1]);

    worker_report total = {0, 0, 0}, rep;
    ssize_t n;
    while ((n = read(report[0], &rep, sizeof rep)) == (ssize_t)sizeof rep) {
        total.decoded += rep.decoded;
        total.failed += rep.failed;
        total.pixels += rep.pixels;
    }
    int status, crashed = 0;
    while (wait(&status) > 0) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) crashed = 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    long accounted = total.decoded + total.failed;
    fprintf(stderr, "%ld decoded, %ld failed, %.1f Mpx, %ld workers, %.3f s\n", total.decoded,
            total.failed + (long)nfiles - accounted, total.pixels / 1e6, jobs, secs);
    return (total.failed || crashed || accounted != (long)nfiles) ? 1 : 0;
}
