/*
 * vitrine-diagnostics: a tiny plain-Xlib test pattern for Vitrine.
 *
 * Draws, N times per second on an absolute schedule (or only on Expose and
 * input with --fps 0), a full-screen frame containing:
 *   - a 64-bit machine-readable timestamp grid (see e2e/lib/diagnostics-probe.ts),
 *   - a 7-segment frame counter (top right),
 *   - a bar crossing the screen every 4 seconds (bottom),
 *   - a toggle area whose colour flips on every ButtonPress and KeyPress;
 * and with --busy, around those, content that changes most pixels every frame
 * (continuous scrolling and a played video; see draw_busy()).
 *
 * Layout constants below must stay in sync with e2e/lib/diagnostics-probe.ts.
 */
#define _POSIX_C_SOURCE 200809L

#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- layout (display pixels) ------------------------------------------- */
#define GRID_X 16
#define GRID_Y 16
#define GRID_BLOCK 24
#define GRID_COLS 32
#define GRID_ROWS 2
#define GRID_BORDER 4

#define TOGGLE_X0 64
#define TOGGLE_Y0 160
#define TOGGLE_X1 544
#define TOGGLE_Y1 520

#define DIGIT_COUNT 8
#define DIGIT_W 48
#define DIGIT_H 100
#define DIGIT_T 10   /* segment thickness */
#define DIGIT_GAP 16
#define DIGIT_MARGIN_RIGHT 24
#define DIGIT_Y 88

#define BAR_W 40
#define BAR_TRACK_H 80
#define BAR_MARGIN_BOTTOM 40
#define BAR_PERIOD_MS 4000

#define FPS_DEFAULT 30
#define FPS_MAX 120

/* ---- busy content (--busy) ----------------------------------------------
 * Two precomputed layers live in server-side pixmaps, so a frame costs the
 * app a few dozen XCopyArea requests and Xvfb one full-screen blit:
 *   - left half: a page of text-like glyph blocks scrolling upwards
 *     (continuous scrolling);
 *   - right half: a colour texture (smooth value noise + finer pseudo-random
 *     detail) cut into horizontal bands that slide sideways at different
 *     speeds and directions (a played video with motion).
 * Most pixels change every frame; nothing is white noise. At 1280x720 30 fps
 * FFmpeg's libx264 (ultrafast, zerolatency) needs about 5 Mbit/s at CRF 23.
 */
#define ATLAS_W 1024
#define ATLAS_H 512
#define BAND_H 32           /* divides ATLAS_H */
#define TEXT_SCROLL_PX_S 75 /* text layer, upwards */
#define GLYPH_W 8           /* glyph cell: 7x10 bitmap + spacing */
#define GLYPH_H 14
#define GLYPH_COUNT 64

enum {
    C_BACKGROUND,
    C_BORDER,
    C_WHITE,
    C_BLACK,
    C_TOGGLE_A,
    C_TOGGLE_B,
    C_DIGIT_ON,
    C_DIGIT_OFF,
    C_TRACK,
    C_BAR,
    C_COUNT
};

static const unsigned short palette[C_COUNT][3] = {
    [C_BACKGROUND] = {40, 40, 40},
    [C_BORDER] = {128, 128, 128},
    [C_WHITE] = {255, 255, 255},
    [C_BLACK] = {0, 0, 0},
    [C_TOGGLE_A] = {0, 200, 0},
    [C_TOGGLE_B] = {200, 0, 200},
    [C_DIGIT_ON] = {255, 160, 0},
    [C_DIGIT_OFF] = {56, 56, 56},
    [C_TRACK] = {64, 64, 64},
    [C_BAR] = {0, 170, 255},
};

struct app {
    Display *dpy;
    int screen;
    Window win;
    Pixmap pix;
    GC gc;
    int width, height, depth;
    unsigned long pixel[C_COUNT];
    Pixmap texture;      /* busy layers (ATLAS_W x ATLAS_H), or None */
    Pixmap text;
    uint64_t frames;     /* frames drawn so far */
    unsigned toggles;    /* ButtonPress + KeyPress events so far */
    int64_t start_ns;    /* CLOCK_MONOTONIC at start */
};

static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t r = write(signal_pipe[1], &b, 1);
    (void)r;
    errno = saved;
}

static int on_io_error(Display *dpy)
{
    (void)dpy;
    /* The X connection is gone (server exited or killed us): that's a normal end. */
    _exit(0);
}

static int on_x_error(Display *dpy, XErrorEvent *ev)
{
    char text[128];
    XGetErrorText(dpy, ev->error_code, text, sizeof text);
    fprintf(stderr, "vitrine-diagnostics: X error: %s (request %d.%d)\n", text,
            ev->request_code, ev->minor_code);
    return 0;
}

static int64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: vitrine-diagnostics [--fps N] [--busy]\n"
                 "  --fps N   redraw N times per second (1..%d, default %d);\n"
                 "            0 = static, redraw only on Expose and input\n"
                 "  --busy    fill the rest of the screen with content that changes most\n"
                 "            pixels every frame (sliding texture bands under scrolling\n"
                 "            text-like glyphs), like a played video; the timestamp grid,\n"
                 "            counter, toggle area and bar keep their places\n",
            FPS_MAX, FPS_DEFAULT);
}

/* ---- drawing -------------------------------------------------------------- */

static void fill(struct app *a, int color, int x, int y, int w, int h)
{
    if (w <= 0 || h <= 0)
        return;
    XSetForeground(a->dpy, a->gc, a->pixel[color]);
    XFillRectangle(a->dpy, a->pix, a->gc, x, y, (unsigned)w, (unsigned)h);
}

/* Segment bits: a=0 (top), b=1 (top right), c=2 (bottom right), d=3 (bottom),
 * e=4 (bottom left), f=5 (top left), g=6 (middle). */
static const unsigned char digit_segments[10] = {
    0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f,
};

static void draw_digit(struct app *a, int x, int y, int digit)
{
    const int w = DIGIT_W, h = DIGIT_H, t = DIGIT_T;
    const int half = h / 2;
    XRectangle seg[7] = {
        {(short)(x + t), (short)y, (unsigned short)(w - 2 * t), (unsigned short)t},            /* a */
        {(short)(x + w - t), (short)(y + t), (unsigned short)t, (unsigned short)(half - t - t / 2)}, /* b */
        {(short)(x + w - t), (short)(y + half + t / 2), (unsigned short)t, (unsigned short)(half - t - t / 2)}, /* c */
        {(short)(x + t), (short)(y + h - t), (unsigned short)(w - 2 * t), (unsigned short)t},  /* d */
        {(short)x, (short)(y + half + t / 2), (unsigned short)t, (unsigned short)(half - t - t / 2)}, /* e */
        {(short)x, (short)(y + t), (unsigned short)t, (unsigned short)(half - t - t / 2)},     /* f */
        {(short)(x + t), (short)(y + half - t / 2), (unsigned short)(w - 2 * t), (unsigned short)t}, /* g */
    };
    XRectangle on[7], off[7];
    int non = 0, noff = 0;
    for (int i = 0; i < 7; i++) {
        if (digit_segments[digit] & (1u << i))
            on[non++] = seg[i];
        else
            off[noff++] = seg[i];
    }
    XSetForeground(a->dpy, a->gc, a->pixel[C_DIGIT_OFF]);
    if (noff)
        XFillRectangles(a->dpy, a->pix, a->gc, off, noff);
    XSetForeground(a->dpy, a->gc, a->pixel[C_DIGIT_ON]);
    if (non)
        XFillRectangles(a->dpy, a->pix, a->gc, on, non);
}

static void draw_counter(struct app *a, uint64_t value)
{
    int total = DIGIT_COUNT * DIGIT_W + (DIGIT_COUNT - 1) * DIGIT_GAP;
    int x0 = a->width - DIGIT_MARGIN_RIGHT - total;
    for (int i = DIGIT_COUNT - 1; i >= 0; i--) {
        draw_digit(a, x0 + i * (DIGIT_W + DIGIT_GAP), DIGIT_Y, (int)(value % 10));
        value /= 10;
    }
}

static void draw_timestamp(struct app *a, uint64_t ms, unsigned toggles)
{
    unsigned char bytes[8];
    unsigned char check = 0xA5;
    for (int i = 0; i < 6; i++)
        bytes[i] = (unsigned char)(ms >> (8 * (5 - i)));
    bytes[6] = (unsigned char)(toggles & 0xff);
    for (int i = 0; i < 7; i++)
        check ^= bytes[i];
    bytes[7] = check;

    fill(a, C_BORDER, GRID_X - GRID_BORDER, GRID_Y - GRID_BORDER,
         GRID_COLS * GRID_BLOCK + 2 * GRID_BORDER, GRID_ROWS * GRID_BLOCK + 2 * GRID_BORDER);

    XRectangle ones[64], zeros[64];
    int n1 = 0, n0 = 0;
    for (int i = 0; i < 64; i++) {
        int bit = (bytes[i / 8] >> (7 - i % 8)) & 1;
        XRectangle r = {(short)(GRID_X + (i % GRID_COLS) * GRID_BLOCK),
                        (short)(GRID_Y + (i / GRID_COLS) * GRID_BLOCK), GRID_BLOCK, GRID_BLOCK};
        if (bit)
            ones[n1++] = r;
        else
            zeros[n0++] = r;
    }
    XSetForeground(a->dpy, a->gc, a->pixel[C_WHITE]);
    if (n1)
        XFillRectangles(a->dpy, a->pix, a->gc, ones, n1);
    XSetForeground(a->dpy, a->gc, a->pixel[C_BLACK]);
    if (n0)
        XFillRectangles(a->dpy, a->pix, a->gc, zeros, n0);
}

/* Copies the ATLAS_W x ATLAS_H pixmap `src`, tiled and shifted by (sx, sy), into
 * the rectangle (x, y, w, h) of the frame pixmap. */
static void copy_tiled(struct app *a, Pixmap src, int sx, int sy, int x, int y, int w, int h)
{
    sx = ((sx % ATLAS_W) + ATLAS_W) % ATLAS_W;
    sy = ((sy % ATLAS_H) + ATLAS_H) % ATLAS_H;
    for (int dy = 0, ty = sy; dy < h;) {
        int ch = ATLAS_H - ty < h - dy ? ATLAS_H - ty : h - dy;
        for (int dx = 0, tx = sx; dx < w;) {
            int cw = ATLAS_W - tx < w - dx ? ATLAS_W - tx : w - dx;
            XCopyArea(a->dpy, src, a->pix, a->gc, tx, ty, (unsigned)cw, (unsigned)ch, x + dx, y + dy);
            dx += cw;
            tx = 0;
        }
        dy += ch;
        ty = 0;
    }
}

/* Band k slides at a speed of its own (px/s, either direction), from a hash of k. */
static int band_speed(int k)
{
    uint32_t h = (uint32_t)k * 2654435761u;
    int speed = 40 + (int)((h >> 7) % 200); /* 40..239 px/s */
    return (k & 1) ? -speed : speed;
}

/* Left half: a page of text scrolling upwards; right half: the texture bands sliding. */
static void draw_busy(struct app *a, int64_t elapsed_ms)
{
    int split = a->width / 2;
    copy_tiled(a, a->text, 0, (int)((elapsed_ms * TEXT_SCROLL_PX_S) / 1000 % ATLAS_H), 0, 0, split, a->height);
    for (int k = 0, y = 0; y < a->height; k++, y += BAND_H) {
        int sx = (int)((elapsed_ms * band_speed(k)) / 1000 % ATLAS_W);
        copy_tiled(a, a->texture, sx, y, split, y, a->width - split, BAND_H);
    }
}

static void draw_frame(struct app *a)
{
    /* Wall-clock time read immediately before this frame is drawn. */
    uint64_t wall_ms = (uint64_t)now_ns(CLOCK_REALTIME) / 1000000u;
    int64_t elapsed_ms = (now_ns(CLOCK_MONOTONIC) - a->start_ns) / 1000000;

    if (a->texture) {
        draw_busy(a, elapsed_ms);
        /* A plain background behind the counter keeps its digits readable. */
        int total = DIGIT_COUNT * DIGIT_W + (DIGIT_COUNT - 1) * DIGIT_GAP;
        fill(a, C_BACKGROUND, a->width - DIGIT_MARGIN_RIGHT - total - DIGIT_GAP / 2, DIGIT_Y - DIGIT_GAP / 2,
             total + DIGIT_GAP, DIGIT_H + DIGIT_GAP);
    } else {
        fill(a, C_BACKGROUND, 0, 0, a->width, a->height);
    }

    draw_timestamp(a, wall_ms & 0xffffffffffffull, a->toggles);
    draw_counter(a, a->frames);

    fill(a, (a->toggles & 1) ? C_TOGGLE_B : C_TOGGLE_A, TOGGLE_X0, TOGGLE_Y0,
         TOGGLE_X1 - TOGGLE_X0, TOGGLE_Y1 - TOGGLE_Y0);

    int track_y = a->height - BAR_MARGIN_BOTTOM - BAR_TRACK_H;
    fill(a, C_TRACK, 0, track_y, a->width, BAR_TRACK_H);
    int span = a->width - BAR_W;
    int bar_x = span > 0 ? (int)((elapsed_ms % BAR_PERIOD_MS) * span / BAR_PERIOD_MS) : 0;
    fill(a, C_BAR, bar_x, track_y, BAR_W, BAR_TRACK_H);

    XCopyArea(a->dpy, a->pix, a->win, a->gc, 0, 0, (unsigned)a->width, (unsigned)a->height, 0, 0);
    XSync(a->dpy, False);
    a->frames++;
}

/* ---- setup ------------------------------------------------------------ */

static void alloc_colors(struct app *a)
{
    Colormap cmap = DefaultColormap(a->dpy, a->screen);
    for (int i = 0; i < C_COUNT; i++) {
        XColor c;
        memset(&c, 0, sizeof c);
        c.red = (unsigned short)(palette[i][0] * 257);
        c.green = (unsigned short)(palette[i][1] * 257);
        c.blue = (unsigned short)(palette[i][2] * 257);
        c.flags = DoRed | DoGreen | DoBlue;
        if (XAllocColor(a->dpy, cmap, &c))
            a->pixel[i] = c.pixel;
        else
            a->pixel[i] = (palette[i][0] + palette[i][1] + palette[i][2] > 382)
                              ? WhitePixel(a->dpy, a->screen)
                              : BlackPixel(a->dpy, a->screen);
    }
}

static void resize(struct app *a, int width, int height)
{
    if (a->pix && width == a->width && height == a->height)
        return;
    if (a->pix)
        XFreePixmap(a->dpy, a->pix);
    a->width = width;
    a->height = height;
    a->pix = XCreatePixmap(a->dpy, a->win, (unsigned)width, (unsigned)height, (unsigned)a->depth);
}

/* ---- busy layers (made once at start) ------------------------------------ */

static uint32_t rng_state = 0x9E3779B9u;

static uint32_t rng(void)
{
    /* xorshift32: deterministic, so every run shows the same content */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* Value noise on a lattice of `cell` px that wraps around the atlas (seamless tiling). */
static float value_noise(const unsigned char *lattice, int lw, int lh, int cell, int x, int y)
{
    int gx = x / cell, gy = y / cell;
    float fx = (float)(x % cell) / (float)cell, fy = (float)(y % cell) / (float)cell;
    fx = fx * fx * (3 - 2 * fx);
    fy = fy * fy * (3 - 2 * fy);
    int x1 = (gx + 1) % lw, y1 = (gy + 1) % lh;
    float v00 = lattice[gy * lw + gx], v10 = lattice[gy * lw + x1];
    float v01 = lattice[y1 * lw + gx], v11 = lattice[y1 * lw + x1];
    float top = v00 + (v10 - v00) * fx, bottom = v01 + (v11 - v01) * fx;
    return (top + (bottom - top) * fy) / 255.0f; /* 0..1 */
}

static unsigned shift_of(unsigned long mask)
{
    unsigned s = 0;
    while (s < 32 && !((mask >> s) & 1))
        s++;
    return s;
}

static unsigned long rgb_pixel(const Visual *v, int r, int g, int b)
{
    r = r < 0 ? 0 : r > 255 ? 255 : r;
    g = g < 0 ? 0 : g > 255 ? 255 : g;
    b = b < 0 ? 0 : b > 255 ? 255 : b;
    /* 8 bits per channel (TrueColor depth 24/32, checked by the caller). */
    return ((unsigned long)r << shift_of(v->red_mask)) | ((unsigned long)g << shift_of(v->green_mask)) |
           ((unsigned long)b << shift_of(v->blue_mask));
}

/* Uploads an ATLAS_W x ATLAS_H image whose pixels `paint` computes into a new pixmap. */
static Pixmap make_layer(struct app *a, Visual *visual, void (*paint)(XImage *, const Visual *))
{
    char *data = calloc((size_t)ATLAS_W * ATLAS_H, 4);
    if (!data)
        return None;
    XImage *img = XCreateImage(a->dpy, visual, (unsigned)a->depth, ZPixmap, 0, data, ATLAS_W, ATLAS_H, 32, 0);
    if (!img) {
        free(data);
        return None;
    }
    paint(img, visual);
    Pixmap p = XCreatePixmap(a->dpy, a->win, ATLAS_W, ATLAS_H, (unsigned)a->depth);
    XPutImage(a->dpy, p, a->gc, img, 0, 0, 0, 0, ATLAS_W, ATLAS_H);
    XDestroyImage(img); /* frees data */
    return p;
}

/* Colour texture: a hue that drifts across the atlas (two octaves of value noise), with a
 * finer octave of detail on top. */
static void paint_texture(XImage *img, const Visual *v)
{
    enum { C1 = 64, C2 = 16, C3 = 4 };
    static unsigned char l1[(ATLAS_W / C1) * (ATLAS_H / C1)], l2[(ATLAS_W / C2) * (ATLAS_H / C2)],
        l3[(ATLAS_W / C3) * (ATLAS_H / C3)], l4[(ATLAS_W / C2) * (ATLAS_H / C2)];
    for (size_t i = 0; i < sizeof l1; i++)
        l1[i] = (unsigned char)rng();
    for (size_t i = 0; i < sizeof l2; i++)
        l2[i] = (unsigned char)rng();
    for (size_t i = 0; i < sizeof l3; i++)
        l3[i] = (unsigned char)rng();
    for (size_t i = 0; i < sizeof l4; i++)
        l4[i] = (unsigned char)rng();
    for (int y = 0; y < ATLAS_H; y++) {
        for (int x = 0; x < ATLAS_W; x++) {
            float hue = value_noise(l1, ATLAS_W / C1, ATLAS_H / C1, C1, x, y);
            float mid = value_noise(l2, ATLAS_W / C2, ATLAS_H / C2, C2, x, y);
            float fine = value_noise(l3, ATLAS_W / C3, ATLAS_H / C3, C3, x, y);
            float sat = value_noise(l4, ATLAS_W / C2, ATLAS_H / C2, C2, x, y);
            float luma = 60 + 110 * mid + 40 * (fine - 0.5f);
            /* hue in 0..1 -> a smooth RGB cycle */
            float h6 = hue * 6.0f;
            int sector = (int)h6 % 6;
            float f = h6 - (float)(int)h6;
            float rgb[3];
            switch (sector) {
            case 0: rgb[0] = 1, rgb[1] = f, rgb[2] = 0; break;
            case 1: rgb[0] = 1 - f, rgb[1] = 1, rgb[2] = 0; break;
            case 2: rgb[0] = 0, rgb[1] = 1, rgb[2] = f; break;
            case 3: rgb[0] = 0, rgb[1] = 1 - f, rgb[2] = 1; break;
            case 4: rgb[0] = f, rgb[1] = 0, rgb[2] = 1; break;
            default: rgb[0] = 1, rgb[1] = 0, rgb[2] = 1 - f; break;
            }
            float s = 0.3f + 0.6f * sat;
            int c[3];
            for (int i = 0; i < 3; i++)
                c[i] = (int)(luma * (1 - s) + luma * s * 1.6f * rgb[i]);
            XPutPixel(img, x, y, rgb_pixel(v, c[0], c[1], c[2]));
        }
    }
}

/* Text-like layer: lines of "words" of random 7x10 glyphs on black, ragged right edges and
 * paragraph breaks, like a page of text. */
static void paint_text(XImage *img, const Visual *v)
{
    static uint16_t glyphs[GLYPH_COUNT][10]; /* 7 bits per row */
    for (int g = 0; g < GLYPH_COUNT; g++) {
        /* strokes rather than noise: a few vertical and horizontal runs and a dot or two */
        for (int s = 0; s < 3; s++) {
            uint32_t r = rng();
            if (r & 1) {
                int col = (int)((r >> 1) % 7), y0 = (int)((r >> 4) % 4), y1 = 6 + (int)((r >> 6) % 4);
                for (int y = y0; y <= y1; y++)
                    glyphs[g][y] |= (uint16_t)(1u << col);
            } else {
                int row = 1 + (int)((r >> 1) % 8), x0 = (int)((r >> 5) % 3), x1 = 4 + (int)((r >> 7) % 3);
                for (int x = x0; x <= x1; x++)
                    glyphs[g][row] |= (uint16_t)(1u << x);
            }
        }
    }
    unsigned long ink[3] = {rgb_pixel(v, 230, 230, 230), rgb_pixel(v, 250, 200, 120), rgb_pixel(v, 140, 220, 250)};
    const int cols = ATLAS_W / GLYPH_W, rows = ATLAS_H / GLYPH_H;
    for (int row = 0; row < rows; row++) {
        uint32_t r = rng();
        if (r % 9 == 0)
            continue; /* paragraph break */
        int indent = (int)(r >> 8) % 4 == 0 ? 4 : 1;
        int end = cols - 1 - (int)((r >> 12) % 24);
        unsigned long colour = ink[(r >> 20) % 3];
        for (int col = indent; col < end;) {
            int word = 2 + (int)(rng() % 9);
            for (int i = 0; i < word && col < end; i++, col++) {
                const uint16_t *gl = glyphs[rng() % GLYPH_COUNT];
                for (int y = 0; y < 10; y++)
                    for (int x = 0; x < 7; x++)
                        if (gl[y] & (1u << x))
                            XPutPixel(img, col * GLYPH_W + x, row * GLYPH_H + 2 + y, colour);
            }
            col++; /* space */
        }
    }
}

static void make_busy_layers(struct app *a)
{
    Visual *visual = DefaultVisual(a->dpy, a->screen);
    if (visual->class != TrueColor || (a->depth != 24 && a->depth != 32) ||
        visual->bits_per_rgb != 8) {
        fprintf(stderr, "vitrine-diagnostics: --busy needs a 24-bit TrueColor screen; drawing without it\n");
        return;
    }
    a->texture = make_layer(a, visual, paint_texture);
    a->text = make_layer(a, visual, paint_text);
    if (!a->texture || !a->text) {
        fprintf(stderr, "vitrine-diagnostics: out of memory for --busy; drawing without it\n");
        a->texture = None;
    }
}

static int parse_args(int argc, char **argv, int *fps, int *busy)
{
    *fps = FPS_DEFAULT;
    *busy = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        if (strcmp(arg, "--busy") == 0) {
            *busy = 1;
            continue;
        }
        if (strcmp(arg, "--fps") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "vitrine-diagnostics: --fps needs a value\n");
                return -1;
            }
            val = argv[++i];
        } else if (strncmp(arg, "--fps=", 6) == 0) {
            val = arg + 6;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "vitrine-diagnostics: unknown argument '%s'\n", arg);
            usage(stderr);
            return -1;
        }
        char *end = NULL;
        errno = 0;
        long v = strtol(val, &end, 10);
        if (errno || end == val || *end || v < 0 || v > FPS_MAX) {
            fprintf(stderr, "vitrine-diagnostics: --fps must be 0..%d, got '%s'\n", FPS_MAX, val);
            return -1;
        }
        *fps = (int)v;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int fps, busy;
    if (parse_args(argc, argv, &fps, &busy) != 0)
        return 2;

    if (pipe(signal_pipe) != 0) {
        perror("vitrine-diagnostics: pipe");
        return 1;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    XSetIOErrorHandler(on_io_error);
    XSetErrorHandler(on_x_error);

    struct app a;
    memset(&a, 0, sizeof a);
    a.dpy = XOpenDisplay(NULL);
    if (!a.dpy) {
        const char *d = getenv("DISPLAY");
        fprintf(stderr, "vitrine-diagnostics: cannot open display '%s'\n", d ? d : "");
        return 1;
    }
    a.screen = DefaultScreen(a.dpy);
    a.depth = DefaultDepth(a.dpy, a.screen);
    a.start_ns = now_ns(CLOCK_MONOTONIC);
    alloc_colors(&a);

    Window root = RootWindow(a.dpy, a.screen);
    int width = DisplayWidth(a.dpy, a.screen);
    int height = DisplayHeight(a.dpy, a.screen);

    XSetWindowAttributes attrs;
    memset(&attrs, 0, sizeof attrs);
    attrs.override_redirect = True;
    attrs.background_pixmap = None; /* we repaint everything; avoid flashes */
    attrs.event_mask = ExposureMask | ButtonPressMask | KeyPressMask | StructureNotifyMask;
    a.win = XCreateWindow(a.dpy, root, 0, 0, (unsigned)width, (unsigned)height, 0,
                          CopyFromParent, InputOutput, CopyFromParent,
                          CWOverrideRedirect | CWBackPixmap | CWEventMask, &attrs);

    XStoreName(a.dpy, a.win, "Vitrine diagnostics");
    XClassHint class_hint = {"vitrine-diagnostics", "VitrineDiagnostics"};
    XSetClassHint(a.dpy, a.win, &class_hint);

    a.gc = XCreateGC(a.dpy, a.win, 0, NULL);
    XSetGraphicsExposures(a.dpy, a.gc, False);
    resize(&a, width, height);
    if (busy)
        make_busy_layers(&a);

    XMapRaised(a.dpy, a.win);
    XFlush(a.dpy);

    const int xfd = ConnectionNumber(a.dpy);
    const int64_t period_base = now_ns(CLOCK_MONOTONIC);
    uint64_t k = 0; /* index of the next scheduled frame */
    int mapped = 0;

    for (;;) {
        int need_draw = 0;

        while (XPending(a.dpy)) {
            XEvent ev;
            XNextEvent(a.dpy, &ev);
            switch (ev.type) {
            case Expose:
                if (ev.xexpose.count == 0)
                    need_draw = 1;
                break;
            case ButtonPress:
            case KeyPress:
                a.toggles++;
                need_draw = 1;
                break;
            case MapNotify:
                if (ev.xmap.window == a.win && !mapped) {
                    mapped = 1;
                    XSetInputFocus(a.dpy, a.win, RevertToPointerRoot, CurrentTime);
                    /* No draw here: the Expose that follows every map draws. Drawing
                     * for both showed two different first frames (their clocks
                     * differ), so a static app was seen to redraw without input. */
                }
                break;
            case UnmapNotify:
                if (ev.xunmap.window == a.win)
                    mapped = 0;
                break;
            case ConfigureNotify:
                if (ev.xconfigure.window == a.win) {
                    resize(&a, ev.xconfigure.width, ev.xconfigure.height);
                    need_draw = 1;
                }
                break;
            default:
                break;
            }
        }

        int64_t now = now_ns(CLOCK_MONOTONIC);
        int64_t next = 0;
        if (fps > 0) {
            next = period_base + (int64_t)(k * 1000000000ull / (uint64_t)fps);
            if (now >= next) {
                need_draw = 1;
                /* Absolute schedule: advance to the first slot after now (skips
                 * slots if we fell behind, never accumulates drift). */
                k = (uint64_t)(now - period_base) * (uint64_t)fps / 1000000000ull + 1;
                next = period_base + (int64_t)(k * 1000000000ull / (uint64_t)fps);
            }
        }

        if (need_draw) {
            draw_frame(&a);
            continue; /* re-check events that arrived while drawing */
        }

        int timeout = -1;
        if (fps > 0) {
            int64_t wait = next - now;
            timeout = wait <= 0 ? 0 : (int)((wait + 999999) / 1000000);
        }
        struct pollfd pfd[2] = {
            {.fd = xfd, .events = POLLIN},
            {.fd = signal_pipe[0], .events = POLLIN},
        };
        int r = poll(pfd, 2, timeout);
        if (r < 0 && errno != EINTR) {
            perror("vitrine-diagnostics: poll");
            return 1;
        }
        if (r > 0 && (pfd[1].revents & POLLIN))
            break; /* SIGTERM / SIGINT / SIGHUP */
        if (r > 0 && (pfd[0].revents & (POLLHUP | POLLERR)))
            XNoOp(a.dpy), XSync(a.dpy, False); /* triggers the IO error handler -> exit 0 */
    }

    XCloseDisplay(a.dpy);
    return 0;
}
