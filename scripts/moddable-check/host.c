/*
 * minewatch headless host for Moddable's desktop build (-p lin): runs a node's mc.so without a window.
 *
 * Ours, not Moddable's: `npm run check:moddable` compiles this file at check time against the installed
 * SDK's headers ($MODDABLE/xs/..., build/simulators/modules/screen.h: the txScreen the lin simulator hands to
 * an app) and glib, then runs
 *
 *   minewatch-host <mc.so> <seconds> <console-path>
 *
 * It makes a pseudo-terminal and links its slave at <console-path> (the manifest's consoleDevice), loads
 * mc.so, calls its fxScreenLaunch (which creates the XS machine with the build's creation, runs the
 * preload-frozen realm, imports the app's main module and calls its default export), then runs the glib main
 * loop, where Moddable's lin timers, sockets and serial ports live, for <seconds>. It types "ID" and
 * "READ CH4" on the console, and prints what the console answers. The app's trace() output and XS's
 * exception reports go to stdout as they happen.
 *
 * Lines for the check script (each starts with "minewatch-host: "):
 *   boot ok                          main's default export returned (the simulator would start its screen)
 *   after-boot slots=N chunks=N      live after the garbage collection that follows main
 *   mark <name> slots=N chunks=N at=S  live at a mark the app posted (screen.postMessage("mark:<name>")),
 *                                    S seconds from launch
 *   console <line>                   a line the node's console wrote
 *   abort <status> <reason>          XS aborted (memory full, stack overflow, unhandled exception, ...)
 *   at <seconds> s                   when the abort happened, from launch
 *   exception <text>                 after "abort 5 unhandled exception": the exception, as a string
 *   memory slots-peak=N slots-max=N chunks-peak=N chunks-max=N stack-slots=N slot-bytes=N
 *          slots-live-peak=N chunks-live-peak=N
 *                                    peak: XS's high-water mark of allocation, garbage included (with a
 *                                    fixed heap XS collects only when it is full, so a long run reaches the
 *                                    cap); live peak: the most still live right after a collection, which
 *                                    the host forces every 250 ms between events and after boot
 *   end <seconds> | end aborted      the run ended (after an abort the host exits at once)
 * Exit status: 0 when the run lasted its time, 1 after an XS abort or when the machine could not start,
 * 2 for bad arguments or a missing mc.so.
 */
#define _GNU_SOURCE 1
#include "xsAll.h"
#include "screen.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

typedef void (*LaunchProc)(txScreen *screen);
typedef char *(*AbortStringProc)(int status);
typedef txString (*ToStringProc)(txMachine *the, txSlot *slot);
typedef void (*CollectProc)(txMachine *the);

static GMainLoop *gLoop;
static txScreen *gScreen;
static int gAborted = 0;
static int gBooted = 0;
static int gMaster = -1;
static AbortStringProc gAbortString;
static ToStringProc gToString;
static gint64 gStartUs;
static CollectProc gCollect;
/* the most found live right after a collection, sampled every LIVE_SAMPLE_MS between events */
#define LIVE_SAMPLE_MS 250
static long gLiveSlots = 0;
static long gLiveChunks = 0;
static char gLine[512];
static size_t gLineLength = 0;

static void report(const char *format, ...) {
	va_list args;
	fflush(stdout);
	printf("minewatch-host: ");
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	printf("\n");
	fflush(stdout);
}

static void reportMemory(void) {
	txMachine *the = (txMachine *)gScreen->machine;
	if (!the)
		return;
	report("memory slots-peak=%ld slots-max=%ld chunks-peak=%ld chunks-max=%ld stack-slots=%ld slot-bytes=%ld "
		"slots-live-peak=%ld chunks-live-peak=%ld",
		(long)the->peakHeapCount, (long)the->maximumHeapCount, (long)the->peakChunksSize,
		(long)the->maximumChunksSize, (long)(the->stackTop - the->stackBottom), (long)sizeof(txSlot),
		gLiveSlots, gLiveChunks);
}

static void onAbort(txScreen *screen, int status) {
	if (gAborted)
		return;
	gAborted = 1;
	report("abort %d %s", status, gAbortString ? gAbortString(status) : "?");
	report("at %.1f s", (g_get_monotonic_time() - gStartUs) / 1e6);
	txMachine *the = (txMachine *)screen->machine;
	if (the && gToString && status == XS_UNHANDLED_EXCEPTION_EXIT) {
		/* the exception that escaped, as String() makes it ("TypeError: ..."); release builds print none */
		txSlot copy = mxException;
		mxTry(the) {
			report("exception %s", gToString(the, &copy));
		}
		mxCatch(the) {
			report("exception (not convertible to a string)");
		}
	}
	reportMemory();
	/* XS would now unwind to the host frame that called in; the run is over, so end here */
	report("end aborted");
	fflush(stdout);
	_exit(1);
}

static void onStart(txScreen *screen, double interval) {
	(void)interval;
	if (!gBooted && !gAborted) {
		gBooted = 1;
		report("boot ok");
		/* the simulator collects garbage after main returns, just before this call: what boot left live */
		txMachine *the = (txMachine *)screen->machine;
		report("after-boot slots=%ld chunks=%ld", (long)the->currentHeapCount, (long)the->currentChunksSize);
		gLiveSlots = (long)the->currentHeapCount;
		gLiveChunks = (long)the->currentChunksSize;
	}
}

static void onNothing(txScreen *screen) { (void)screen; }
/*
 * screen.postMessage("mark:<name>") from the app (manifests/lin: before main, around building the simulated
 * board): collect, then report what is live, so the check can tell the platform's and the simulation's share
 * from the node's.
 */
static void onPost(txScreen *screen, char *message, int size) {
	int length = size > 0 ? size : (int)strlen(message);
	txMachine *the = (txMachine *)screen->machine;
	if (length > 5 && strncmp(message, "mark:", 5) == 0 && the && gCollect) {
		gCollect(the);
		report("mark %.*s slots=%ld chunks=%ld at=%.1f", length - 5, message + 5, (long)the->currentHeapCount,
			(long)the->currentChunksSize, (g_get_monotonic_time() - gStartUs) / 1e6);
	}
	else
		report("post %.*s", length, message);
}

static gboolean onConsoleReadable(GIOChannel *source, GIOCondition condition, gpointer data) {
	(void)source;
	(void)data;
	if (condition & (G_IO_ERR | G_IO_HUP))
		return TRUE; /* no reader on the slave yet: keep watching */
	char bytes[256];
	ssize_t n = read(gMaster, bytes, sizeof(bytes));
	for (ssize_t i = 0; i < n; i++) {
		char b = bytes[i];
		if (b == '\n' || b == '\r') {
			if (gLineLength > 0) {
				gLine[gLineLength] = 0;
				report("console %s", gLine);
			}
			gLineLength = 0;
		}
		else if (gLineLength < sizeof(gLine) - 1)
			gLine[gLineLength++] = b;
	}
	return TRUE;
}

static gboolean type(gpointer text) {
	const char *s = text;
	if (write(gMaster, s, strlen(s)) < 0)
		report("console write failed");
	return FALSE;
}

/* Between events (nothing of XS on the C stack), collect and note what is still live. */
static void sampleLive(void) {
	txMachine *the = (txMachine *)gScreen->machine;
	if (!the || !gCollect || gAborted)
		return;
	gCollect(the);
	if ((long)the->currentHeapCount > gLiveSlots)
		gLiveSlots = (long)the->currentHeapCount;
	if ((long)the->currentChunksSize > gLiveChunks)
		gLiveChunks = (long)the->currentChunksSize;
}

static gboolean onSample(gpointer data) {
	(void)data;
	sampleLive();
	return !gAborted;
}

static gboolean onTimeUp(gpointer data) {
	(void)data;
	g_main_loop_quit(gLoop);
	return FALSE;
}

static int openConsole(const char *path) {
	gMaster = posix_openpt(O_RDWR | O_NOCTTY);
	if (gMaster < 0 || grantpt(gMaster) || unlockpt(gMaster))
		return -1;
	struct termios tio;
	int slave = open(ptsname(gMaster), O_RDWR | O_NOCTTY);
	if (slave >= 0) {
		/* raw both ways, so the console's CR LF reaches us as written */
		if (tcgetattr(slave, &tio) == 0) {
			cfmakeraw(&tio);
			tcsetattr(slave, TCSANOW, &tio);
		}
		/* kept open: the master reads EOF / EIO while no one holds the slave */
	}
	unlink(path);
	if (symlink(ptsname(gMaster), path))
		return -1;
	fcntl(gMaster, F_SETFL, fcntl(gMaster, F_GETFL) | O_NONBLOCK);
	GIOChannel *channel = g_io_channel_unix_new(gMaster);
	g_io_add_watch(channel, G_IO_IN | G_IO_ERR | G_IO_HUP, onConsoleReadable, NULL);
	return 0;
}

int main(int argc, char **argv) {
	if (argc != 4) {
		fprintf(stderr, "usage: minewatch-host <mc.so> <seconds> <console-path>\n");
		return 2;
	}
	int seconds = atoi(argv[2]);
	if (seconds <= 0) {
		fprintf(stderr, "minewatch-host: seconds must be > 0, got %s\n", argv[2]);
		return 2;
	}
	void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!library) {
		fprintf(stderr, "minewatch-host: cannot load %s: %s\n", argv[1], dlerror());
		return 2;
	}
	LaunchProc launch = (LaunchProc)dlsym(library, "fxScreenLaunch");
	gAbortString = (AbortStringProc)dlsym(library, "fxAbortString");
	gToString = (ToStringProc)dlsym(library, "fxToString");
	gCollect = (CollectProc)dlsym(library, "fxCollectGarbage");
	if (!launch) {
		fprintf(stderr, "minewatch-host: %s has no fxScreenLaunch (not a Moddable lin build)\n", argv[1]);
		return 2;
	}
	if (openConsole(argv[3])) {
		fprintf(stderr, "minewatch-host: cannot make a pseudo-terminal at %s\n", argv[3]);
		return 2;
	}
	gLoop = g_main_loop_new(NULL, FALSE);
	/* a 1x1 screen: the node draws nothing */
	gScreen = calloc(1, sizeof(txScreen) + screenBytesPerPixel);
	gScreen->width = 1;
	gScreen->height = 1;
	gScreen->abort = onAbort;
	gScreen->bufferChanged = onNothing;
	gScreen->formatChanged = onNothing;
	gScreen->start = onStart;
	gScreen->stop = onNothing;
	gScreen->post = onPost;
	mxCreateMutex(&gScreen->workersMutex);

	gStartUs = g_get_monotonic_time();
	launch(gScreen);
	if (!gScreen->machine) {
		report("abort -1 the XS machine could not be created");
		return 1;
	}
	if (!gAborted) {
		if (!gBooted)
			report("boot failed: main did not return");
		g_timeout_add(2000, type, "ID\r\n");
		g_timeout_add(4000, type, "READ CH4\r\n");
		g_timeout_add(LIVE_SAMPLE_MS, onSample, NULL);
		g_timeout_add_seconds(seconds, onTimeUp, NULL);
		g_main_loop_run(gLoop);
	}
	if (!gAborted) {
		sampleLive();
		reportMemory();
	}
	report("end %d", seconds);
	fflush(stdout);
	/* no teardown: the machine may be mid-abort; the process ends here */
	_exit(gAborted ? 1 : 0);
}
