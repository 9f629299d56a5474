/*
 * vitrine-diagnostics: a tiny plain-Xlib test pattern for Vitrine.
 *
 * Draws, N times per second on an absolute schedule (or only on Expose and
 * input with --fps 0), a full-screen frame containing:
 *   - a 64-bit machine-readable timestamp grid (see e2e/lib/diagnostics-probe.ts),
 *   - a 7-segment frame counter (top right),
 *   - a bar crossing the screen every 4 seconds (bottom),
 *   - a toggle area whose colour flips on every ButtonPress and KeyPress.
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
    fprintf(out, "usage: vitrine-diagnostics [--fps N]\n"
                 "  --fps N   redraw N times per second (1..%d, default %d);\n"
                 "            0 = static, redraw only on Expose and input\n",
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

static void draw_frame(struct app *a)
{
    /* Wall-clock time read immediately before this frame is drawn. */
    uint64_t wall_ms = (uint64_t)now_ns(CLOCK_REALTIME) / 1000000u;
    int64_t elapsed_ms = (now_ns(CLOCK_MONOTONIC) - a->start_ns) / 1000000;

    fill(a, C_BACKGROUND, 0, 0, a->width, a->height);

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

static int parse_args(int argc, char **argv, int *fps)
{
    *fps = FPS_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
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
    int fps;
    if (parse_args(argc, argv, &fps) != 0)
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
                    need_draw = 1;
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
