// test_cmdline.c: the kernel command line, checked against what Linux does with the same.
#include <stdint.h>
#include "check.h"
#include "cmdline.h"

static struct kernel_params kp;   // about 5 KiB: keep it off the stack

static bool in_buf(const char *s)
{
    return s == NULL || (s >= kp.buf && s < kp.buf + sizeof kp.buf);
}

// Every pointer must point into kp.buf, and the arrays must be NULL-terminated.
static void check_invariants(void)
{
    CHECK(kp.init_argc >= 0 && kp.init_argc <= CMDLINE_MAX_INIT_ARGS);
    CHECK(kp.init_envc >= 0 && kp.init_envc <= CMDLINE_MAX_INIT_ENVS);
    CHECK(kp.nr_consoles >= 0 && kp.nr_consoles <= CMDLINE_MAX_CONSOLES);
    CHECK(kp.init_argv[kp.init_argc] == NULL && kp.init_envp[kp.init_envc] == NULL);
    for (int i = 0; i < kp.init_argc; i++)
        CHECK(kp.init_argv[i] != NULL && in_buf(kp.init_argv[i]));
    for (int i = 0; i < kp.init_envc; i++)
        CHECK(kp.init_envp[i] != NULL && in_buf(kp.init_envp[i]) && strchr(kp.init_envp[i], '='));
    for (int i = 0; i < kp.nr_consoles; i++)
        CHECK(in_buf(kp.console[i]));
    CHECK(in_buf(kp.init) && in_buf(kp.rdinit) && in_buf(kp.ktest));
    CHECK(strlen(kp.unknown) < sizeof kp.unknown);
}

static void parse(const char *line)
{
    memset(&kp, 0x5a, sizeof kp);   // cmdline_parse must not rely on a zeroed struct
    cmdline_parse(&kp, line);
    check_invariants();
}

TEST(linux_doc_example)
{
    parse("console=ttyS0 quiet -- single foo=bar");
    CHECK_EQ_INT(kp.nr_consoles, 1);
    CHECK_EQ_STR(kp.console[0], "ttyS0");
    CHECK(kp.quiet);
    CHECK_EQ_INT(kp.init_argc, 2);
    CHECK_EQ_STR(kp.init_argv[0], "single");
    CHECK_EQ_STR(kp.init_argv[1], "foo=bar");   // after --: an argument, not environment
    CHECK_EQ_INT(kp.init_envc, 0);
    CHECK_EQ_STR(kp.unknown, "");
    CHECK_EQ_INT(kp.dropped, 0);
    CHECK_EQ_INT(kp.loglevel, -1);
    CHECK_EQ_INT(kp.panic_timeout, 0);
    CHECK(kp.init == NULL && kp.rdinit == NULL && kp.ktest == NULL);
    CHECK(!kp.bkl_stat);
}

TEST(bkl_stat_is_a_kernel_word)
{
    parse("bkl_stat trace -- x");
    CHECK(kp.bkl_stat && kp.trace);
    CHECK_EQ_STR(kp.unknown, "");
    CHECK_EQ_INT(kp.init_argc, 1);
}

TEST(quotes)
{
    parse("foo=\"a b\" \"bare words\" x=\"\" \"q=in side\" mid\"dle word\"");
    CHECK_EQ_INT(kp.init_envc, 3);
    CHECK_EQ_STR(kp.init_envp[0], "foo=a b");
    CHECK_EQ_STR(kp.init_envp[1], "x=");
    CHECK_EQ_STR(kp.init_envp[2], "q=in side");
    CHECK_EQ_INT(kp.init_argc, 2);
    CHECK_EQ_STR(kp.init_argv[0], "bare words");
    CHECK_EQ_STR(kp.init_argv[1], "mid\"dle word\"");   // Linux keeps quotes mid-word
    CHECK_EQ_STR(kp.unknown, "bare words mid\"dle word\" foo=a b x= q=in side");

    parse("console=\"ttyS0,115200n8\" init=\"/bin/my shell\"");
    CHECK_EQ_STR(kp.console[0], "ttyS0,115200n8");
    CHECK_EQ_STR(kp.init, "/bin/my shell");
}

TEST(unterminated_quote)
{
    parse("console=ttyS0 foo=\"a b c");
    CHECK_EQ_STR(kp.console[0], "ttyS0");
    CHECK_EQ_INT(kp.init_envc, 1);
    CHECK_EQ_STR(kp.init_envp[0], "foo=a b c");

    parse("quiet \"abc def");
    CHECK(kp.quiet);
    CHECK_EQ_INT(kp.init_argc, 1);
    CHECK_EQ_STR(kp.init_argv[0], "abc def");

    parse("a\"b c -- d");   // the quote swallows the rest, `--` included
    CHECK_EQ_INT(kp.init_argc, 1);
    CHECK_EQ_STR(kp.init_argv[0], "a\"b c -- d");

    parse("\"");
    CHECK_EQ_INT(kp.init_argc, 0);
    CHECK_EQ_INT(kp.dropped, 1);   // an empty word
}

TEST(init_rdinit_ktest_loglevel_panic)
{
    parse("init=/bin/sh rdinit=/init ktest=pagefault loglevel=4 panic=-1");
    CHECK_EQ_STR(kp.init, "/bin/sh");
    CHECK_EQ_STR(kp.rdinit, "/init");
    CHECK_EQ_STR(kp.ktest, "pagefault");
    CHECK_EQ_INT(kp.loglevel, 4);
    CHECK_EQ_INT(kp.panic_timeout, -1);
    CHECK_EQ_INT(kp.init_argc + kp.init_envc + kp.dropped, 0);

    parse("init=/a init=/b panic=10 panic=-2147483648 loglevel=0 loglevel=7");
    CHECK_EQ_STR(kp.init, "/b");   // the last one wins, as in Linux
    CHECK_EQ_INT(kp.panic_timeout, -2147483648LL);
    CHECK_EQ_INT(kp.loglevel, 7);
    CHECK_EQ_INT(kp.dropped, 0);
}

TEST(malformed_known_params_are_dropped)
{
    static const char *bad[] = { "loglevel=8", "loglevel=x", "loglevel=", "loglevel=-1",
        "loglevel=5x", "loglevel=+", "panic=abc", "panic=99999999999", "panic=2147483648",
        "panic=", "init=", "rdinit=\"\"", "ktest=", "console=" };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        parse(bad[i]);
        CHECK_EQ_INT(kp.dropped, 1);
        CHECK_EQ_INT(kp.loglevel, -1);
        CHECK_EQ_INT(kp.panic_timeout, 0);
        CHECK(kp.init == NULL && kp.rdinit == NULL && kp.ktest == NULL && kp.nr_consoles == 0);
        CHECK_EQ_INT(kp.init_envc, 0);
    }
    parse("loglevel=3 loglevel=9");   // a bad later value leaves the good earlier one
    CHECK_EQ_INT(kp.loglevel, 3);

    parse("loglevel console init quiet=1");   // no '=': just words; quiet takes anything
    CHECK_EQ_INT(kp.init_argc, 3);
    CHECK_EQ_STR(kp.unknown, "loglevel console init");
    CHECK(kp.quiet);
}

TEST(module_params_and_loader_words_dropped_quietly)
{
    parse("foo.bar=1 usbcore.autosuspend=-1 snd.x bar=1.2 baz BOOT_IMAGE=/vmlinuz kexec");
    CHECK_EQ_INT(kp.init_envc, 1);
    CHECK_EQ_STR(kp.init_envp[0], "bar=1.2");   // a '.' in the value is fine
    CHECK_EQ_INT(kp.init_argc, 1);
    CHECK_EQ_STR(kp.init_argv[0], "baz");
    CHECK_EQ_INT(kp.dropped, 0);
    CHECK_EQ_STR(kp.unknown, "baz bar=1.2");
}

TEST(argv_limit)
{
    char line[400] = "", word[16];

    for (int i = 0; i < 40; i++) {
        snprintf(word, sizeof word, "w%d ", i);
        strcat(line, word);
    }
    parse(line);
    CHECK_EQ_INT(kp.init_argc, 32);
    CHECK_EQ_INT(kp.dropped, 8);
    CHECK_EQ_STR(kp.init_argv[0], "w0");
    CHECK_EQ_STR(kp.init_argv[31], "w31");
    CHECK(kp.init_argv[32] == NULL);
}

TEST(envp_limit_and_duplicates)
{
    char line[600] = "", word[24];

    parse("A=1 B=2 A=3 AB=4");
    CHECK_EQ_INT(kp.init_envc, 3);
    CHECK_EQ_STR(kp.init_envp[0], "A=3");   // a later value replaces, as in Linux
    CHECK_EQ_STR(kp.init_envp[1], "B=2");
    CHECK_EQ_STR(kp.init_envp[2], "AB=4");

    for (int i = 0; i < 40; i++) {
        snprintf(word, sizeof word, "V%d=x ", i);
        strcat(line, word);
    }
    strcat(line, "V0=again");   // replacing still works when full
    parse(line);
    CHECK_EQ_INT(kp.init_envc, 32);
    CHECK_EQ_INT(kp.dropped, 8);
    CHECK_EQ_STR(kp.init_envp[0], "V0=again");
    CHECK_EQ_STR(kp.init_envp[31], "V31=x");
}

TEST(empty_and_blank)
{
    static const char *lines[] = { "", " ", "  \t\n \r\v\f ", NULL };

    for (int i = 0; i < 4; i++) {
        parse(lines[i]);
        CHECK_EQ_INT(kp.init_argc + kp.init_envc + kp.nr_consoles + kp.dropped, 0);
        CHECK_EQ_INT(kp.loglevel, -1);
        CHECK(!kp.quiet && kp.init == NULL);
        CHECK_EQ_STR(kp.unknown, "");
    }
    parse("--");
    CHECK_EQ_INT(kp.init_argc, 0);
    parse("   quiet   ");
    CHECK(kp.quiet);
}

TEST(white_space_of_all_kinds)
{
    parse("\tquiet\nconsole=tty0\r\nfoo\v\fbar=1   ");
    CHECK(kp.quiet);
    CHECK_EQ_STR(kp.console[0], "tty0");
    CHECK_EQ_INT(kp.init_argc, 1);
    CHECK_EQ_STR(kp.init_argv[0], "foo");
    CHECK_EQ_STR(kp.init_envp[0], "bar=1");
}

TEST(unknown_lists_args_then_env)
{
    parse("foo bar=1 baz -- qux");
    CHECK_EQ_STR(kp.unknown, "foo baz bar=1");   // the order Linux prints them in
    CHECK_EQ_INT(kp.init_argc, 3);
    CHECK_EQ_STR(kp.init_argv[2], "qux");
}

TEST(after_dashes_everything_is_an_argument)
{
    parse("quiet -- a.b=1 -- \"x y\" k=\"v w\" quiet init=/x console=ttyS1");
    CHECK_EQ_INT(kp.init_argc, 7);
    CHECK_EQ_STR(kp.init_argv[0], "a.b=1");
    CHECK_EQ_STR(kp.init_argv[1], "--");
    CHECK_EQ_STR(kp.init_argv[2], "x y");
    CHECK_EQ_STR(kp.init_argv[3], "k=v w");
    CHECK_EQ_STR(kp.init_argv[4], "quiet");
    CHECK_EQ_STR(kp.init_argv[5], "init=/x");
    CHECK(kp.init == NULL && kp.nr_consoles == 0);
    CHECK_EQ_STR(kp.unknown, "");

    parse("\"--\" x");   // a quoted -- is still --, as in Linux
    CHECK_EQ_STR(kp.init_argv[0], "x");
    CHECK_EQ_STR(kp.unknown, "");
}

TEST(consoles)
{
    parse("console=tty0 console=ttyS0,115200 console=ttyS1 console=ttyS2 console=ttyS3");
    CHECK_EQ_INT(kp.nr_consoles, 4);
    CHECK_EQ_STR(kp.console[0], "tty0");
    CHECK_EQ_STR(kp.console[1], "ttyS0,115200");
    CHECK_EQ_STR(kp.console[3], "ttyS2");
    CHECK_EQ_INT(kp.dropped, 1);
}

TEST(odd_words)
{
    parse("=foo == a==b \"\" x");
    CHECK_EQ_INT(kp.init_argc, 2);
    CHECK_EQ_STR(kp.init_argv[0], "=foo");   // a leading '=' does not start a value ...
    CHECK_EQ_STR(kp.init_argv[1], "x");
    CHECK_EQ_INT(kp.init_envc, 2);
    CHECK_EQ_STR(kp.init_envp[0], "==");     // ... but a second one does: key "=", value ""
    CHECK_EQ_STR(kp.init_envp[1], "a==b");
    CHECK_EQ_INT(kp.dropped, 1);
}

TEST(ten_thousand_characters)
{
    static char line[10001];

    for (int i = 0; i < 10000; i++)   // "aaaa bbbb cccc ...": 2000 words
        line[i] = i % 5 == 4 ? ' ' : 'a' + (i / 5) % 26;
    line[10000] = '\0';
    parse(line);
    // 2047 bytes are kept: 409 whole words and a 2-letter piece of the 410th.
    CHECK_EQ_INT(kp.init_argc, 32);
    CHECK_EQ_INT(kp.dropped, 410 - 32);
    CHECK_EQ_STR(kp.init_argv[0], "aaaa");

    memset(line, 'z', 10000);         // one 10,000-byte word
    memcpy(line, "k=", 2);
    parse(line);
    CHECK_EQ_INT(kp.init_envc, 1);
    CHECK_EQ_INT(strlen(kp.init_envp[0]), 2047);
    CHECK_EQ_INT(strlen(kp.unknown), 2047);

    for (int i = 0; i < 10000; i++)   // 10,000 quotes and spaces
        line[i] = i % 2 ? '"' : ' ';
    parse(line);
}

CHECK_MAIN()
