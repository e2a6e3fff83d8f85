# checks-suite.sh: busybox applets and ash, one named check at a time (run by checks.sh).
#
# A check is shell code, run in a subshell in /tmp/w with stdin from /dev/null:
#     t NAME 'code'          or          t NAME <<'EOF'
#                                        code
#                                        EOF
# Each line it prints (stdout and stderr together) comes out as "[NAME] line", then
# "[NAME] rc=STATUS". Only deterministic things are printed: no times, PIDs or sizes
# that depend on the kernel's bookkeeping rather than on the files the check made. A
# process that must still be running when looked at is `yes > /dev/null`, killed after:
# it needs no clock, so the check shows what it is about, not how long sleep slept. Its
# `wait` hides what ash says of it (2>/dev/null): ash prints "Terminated" only when the
# child dies while `wait` waits, not when it died already - which on several CPUs, with a
# fast exit, it sometimes has.
# tests/system/oracle/busybox.txt is this output recorded on Linux. The harness itself
# uses as little as it can (no `read`: ash's needs poll; no sed: one exec per check is
# time), so that one missing system call fails the checks that need it, not all of them.

_nl='
'
t() {
    _name=$1
    if [ $# -ge 2 ]; then _code=$2; else _code=$(cat); fi
    _out=$(cd /tmp/w && eval "$_code" </dev/null 2>&1)
    _rc=$?
    # Line by line, with the shell's own expansions: no process per check for this.
    while [ -n "$_out" ]; do
        _line=${_out%%"$_nl"*}
        printf '[%s] %s\n' "$_name" "$_line"
        [ "$_line" = "$_out" ] && break
        _out=${_out#*"$_nl"}
    done
    printf '[%s] rc=%d\n' "$_name" "$_rc"
}

# The files many checks read: fixed contents, made with the shell alone.
cd /tmp/w || exit 1
printf 'banana 3\napple 10\ncherry 7\napple 2\n' > fruit.txt
printf 'one\ntwo\nthree\nfour\nfive\n' > lines.txt
mkdir -p tree/a/b tree/c
echo alpha > tree/a/one.txt
echo beta > tree/a/b/two.txt
echo gamma > tree/c/three.log
: > tree/empty

# ---- output and text
t echo 'echo hello   world'
t echo_n 'echo -n a; echo b'
t echo_e 'echo -e "a\tb\\\\c"; echo -e "x\ny"'
t printf_fmt 'printf "%5s|%-5s|%d|%x|%o|%c|%%\n" ab cd 42 255 8 xyz'
t printf_repeat 'printf "<%s>\n" a b c'
t printf_float 'printf "%.3f %e\n" 3.14159 1234.5'
t printf_esc 'printf "\101\x42\n"'
t cat_n 'cat -n lines.txt'
t cat_concat 'cat lines.txt fruit.txt | wc -l'
t head_n 'head -n 2 lines.txt'
t head_c 'head -c 6 lines.txt; echo'
t tail_n 'tail -n 2 lines.txt'
t tail_plus 'tail -n +4 lines.txt'
t tail_c 'tail -c 5 lines.txt'
t seq_plain 'seq 4'
t seq_step 'seq 2 3 11'
t seq_sep 'seq -s, 1 5'
t seq_w 'seq -w 8 10'
t wc_all 'wc fruit.txt'
t wc_lwc 'printf "a b\nc\n" | wc -l; printf "a b\nc\n" | wc -w; printf "a b\nc\n" | wc -c'
t cut_f 'echo a:b:c:d | cut -d: -f2,4'
t cut_c 'echo abcdef | cut -c2-4'
t tr_upper 'echo hello | tr a-z A-Z'
t tr_delete 'echo hello | tr -d l'
t tr_squeeze 'echo "a   b    c" | tr -s " "'
t sort_plain 'sort fruit.txt'
t sort_numeric_key 'sort -k2 -n fruit.txt'
t sort_reverse_unique 'cut -d" " -f1 fruit.txt | sort -r -u'
t sort_field_sep 'printf "b:2\na:3\nc:1\n" | sort -t: -k2'
t uniq_c 'cut -d" " -f1 fruit.txt | sort | uniq -c'
t uniq_d 'printf "a\na\nb\nc\nc\n" | uniq -d'
t rev 'echo abc | rev'
t tac 'tac lines.txt'
t nl 'nl lines.txt'
t fold 'echo abcdefghij | fold -w 4'
t paste 'paste -d, lines.txt lines.txt | head -n 2'
t expand 'printf "a\tb\n" | expand | od -c'
t yes_head 'yes x | head -n 3'
t strings 'printf "\001\002hello\003world!\n" | strings -n 5'
t diff_plain 'printf "a\nb\n" > c1; printf "b\nc\n" > c2; diff c1 c2'
t diff_u 'printf "a\nb\nc\n" > d1; printf "a\nB\nc\n" > d2; diff -u d1 d2 | tail -n 4'
t cmp_diff 'printf "abc" > e1; printf "abd" > e2; cmp e1 e2'
t cmp_same 'cmp fruit.txt fruit.txt && echo same'

# ---- sed
t sed_subst 'sed "s/an/AN/g" fruit.txt'
t sed_n_p 'sed -n "2,3p" lines.txt'
t sed_delete 'sed "/^t/d" lines.txt'
t sed_multi 'sed -e "s/one/1/" -e "s/two/2/" lines.txt | head -n 3'
t sed_regex 'echo "key=value" | sed -E "s/([a-z]+)=([a-z]+)/\2=\1/"'
t sed_inplace 'cp lines.txt si.txt; sed -i "s/five/FIVE/" si.txt; tail -n 1 si.txt'
t sed_append 'printf "a\nb\n" | sed "1a\\
inserted"'

# ---- awk
t awk_sum 'awk "{ s += \$2 } END { print s }" fruit.txt'
t awk_fields 'awk -F" " "{ print \$2, \$1 }" fruit.txt'
t awk_printf 'awk "BEGIN { printf \"%05.1f|%-4s|%x\n\", 3.14159, \"ab\", 255 }"'
t awk_arrays 'awk "{ n[\$1] += \$2 } END { for (k in n) print k, n[k] }" fruit.txt | sort'
t awk_nr 'awk "NR % 2 == 1 { print NR\": \"\$0 }" lines.txt'
t awk_funcs 'awk "BEGIN { s = \"Hello, World\"; print length(s), substr(s, 8, 5), index(s, \"World\"), toupper(s); n = split(\"a:b:c\", p, \":\"); print n, p[3] }"'
t awk_gsub 'echo "aaa bbb" | awk "{ gsub(/a/, \"x\"); print }"'
t awk_math 'awk "BEGIN { print 7 / 2, int(7 / 2), 2 * 10, 10 % 3, -7 % 3 }"'

# ---- grep
t grep_basic 'grep apple fruit.txt'
t grep_v_c 'grep -v -c apple fruit.txt'
t grep_i_n 'grep -i -n APPLE fruit.txt'
t grep_E_o 'grep -E -o "[0-9]+" fruit.txt'
t grep_r_l 'grep -r -l a tree | sort'
t grep_q_status 'grep -q zebra fruit.txt; echo $?; grep -q apple fruit.txt; echo $?'
t grep_w 'printf "cat\ncatalog\n" | grep -w cat'
t egrep 'egrep "^(one|five)$" lines.txt'
t grep_missing_file 'grep x /nonexistent'

# ---- find and xargs
t find_name 'find tree -name "*.txt" | sort'
t find_type_d 'find tree -type d | sort'
t find_maxdepth 'find tree -maxdepth 1 | sort'
t find_empty 'find tree -empty -type f'
t find_exec 'find tree -name "*.log" -exec cat {} \;'
t xargs_n 'echo a b c | xargs -n1 echo x'
t xargs_I 'printf "1\n2\n" | xargs -I{} echo "<{}>"'
t xargs_find 'find tree -type f -name "*.txt" | sort | xargs cat'

# ---- archives and checksums
t md5sum 'md5sum fruit.txt lines.txt'
t sha1sum 'sha1sum fruit.txt'
t sha256sum 'sha256sum fruit.txt'
t sha512sum 'echo abc | sha512sum'
t md5sum_check 'md5sum fruit.txt > sums; md5sum -c sums'
t crc32 'crc32 fruit.txt'
t gzip_roundtrip 'gzip -c fruit.txt > f.gz; gunzip -c f.gz | md5sum; zcat f.gz | head -n 1'
t gzip_file 'cp lines.txt gz.txt; gzip gz.txt; ls gz.txt*; gunzip gz.txt.gz; cat gz.txt | wc -l'
t bzip2_roundtrip 'bzip2 -c fruit.txt | bunzip2 -c | md5sum'
t gzip_bytes 'gzip -c fruit.txt | md5sum; gzip -9 -c lines.txt | wc -c'
t tar_create_list 'tar cf t.tar tree; tar tf t.tar | sort'
t tar_extract 'tar cf t2.tar tree; mkdir x; cd x && tar xf ../t2.tar && find . -type f | sort && cat tree/a/one.txt'
t tar_gz 'tar czf t.tgz tree/a; tar tzf t.tgz | sort'
t cpio_out 'cd tree && find . -name "*.txt" | sort | cpio -o -H newc 2>/dev/null | cpio -t 2>/dev/null'
t base64 'echo "hello world" | base64; echo aGVsbG8K | base64 -d'
t uuencode 'echo hi | uuencode -m name | head -n 2'

# ---- bytes
t od_c 'printf "AB\n\t" | od -c'
t od_x 'printf "\001\377" | od -An -tx1'
t hexdump_C 'printf "hello, world\n" | hexdump -C'
t xxd 'printf "xyz" | xxd'
t dd_copy 'dd if=fruit.txt of=dd.out bs=4 count=3 2>/dev/null; cat dd.out; echo; wc -c < dd.out'
t dd_zero 'dd if=/dev/zero bs=512 count=3 2>/dev/null | wc -c'
t dd_skip 'dd if=lines.txt bs=1 skip=4 count=3 2>/dev/null; echo'
t dev_null 'echo gone > /dev/null; cat /dev/null | wc -c'

# ---- files and directories
t ls_plain 'ls tree tree/a'
t ls_l 'echo 12345 > l1; printf "" > l2; mkdir l3; ln -s l1 l4; ls -l l1 l2 l4 | awk "{ print \$1, \$2, \$3, \$4, \$5, \$9, \$10, \$11 }"'
t ls_a 'mkdir la; touch la/.hidden la/shown; ls -a la'
t ls_R 'ls -R tree'
t ls_1F 'ls -1F tree'
t stat_fmt 'echo 123456789 > s1; stat -c "%s %F %n %h" s1; stat -c "%F" tree'
t stat_mode 'touch s2; chmod 640 s2; stat -c "%a %A" s2'
t touch_date 'touch -d "2001-02-03 04:05:06" tt; stat -c %Y tt; date -u -r tt "+%Y-%m-%d %H:%M:%S"'
t touch_create 'touch new1 new2; ls new1 new2; wc -c < new1'
t chmod_octal 'touch c1; chmod 751 c1; stat -c %a c1'
t chmod_symbolic 'touch c2; chmod 644 c2; chmod u+x,g+w,o-r c2; stat -c %A c2'
t chmod_recursive 'mkdir -p cr/d; touch cr/d/f; chmod -R 700 cr; stat -c "%a %n" cr cr/d cr/d/f'
t chown 'touch ow; chown 65534:65534 ow; stat -c "%u %g" ow; ls -l ow | awk "{print \$3, \$4}"'
t ln_symlink 'ln -s tree/a/one.txt sl; cat sl; readlink sl'
t ln_hard 'echo h > h1; ln h1 h2; stat -c %h h1; echo more >> h2; cat h1'
t readlink_f 'mkdir -p rl/d; ln -s rl/d rlink; readlink -f rlink/../d'
t realpath 'mkdir -p rp/x; realpath rp/x/../x/./'
t mkdir_p 'mkdir -p m/a/b/c; find m | sort'
t mkdir_exists 'mkdir m2; mkdir m2'
t rmdir_nonempty 'mkdir -p rd/x; rmdir rd'
t rm_r 'mkdir -p rr/a/b; touch rr/a/b/f; rm -r rr; ls rr'
t rm_f_missing 'rm -f /tmp/w/does-not-exist; echo $?'
t mv_rename 'echo m > mv1; mv mv1 mv2; ls mv1 mv2; cat mv2'
t mv_into_dir 'mkdir md; echo q > mq; mv mq md/; ls md'
t cp_plain 'cp fruit.txt cp1; cmp fruit.txt cp1 && echo equal'
t cp_r 'cp -r tree tree2; find tree2 | sort'
t cp_a 'mkdir ca; echo a > ca/f; chmod 600 ca/f; touch -d "1999-12-31 23:59:00" ca/f; ln -s f ca/l; cp -a ca ca2; stat -c "%a %Y %F" ca2/f; stat -c %F ca2/l; readlink ca2/l'
t basename_dirname 'basename /a/b/c.txt; basename /a/b/c.txt .txt; dirname /a/b/c.txt; dirname c'
t truncate 'echo 123456 > tr1; truncate -s 3 tr1; cat tr1; echo; truncate -s 10 tr1; wc -c < tr1'
t mkfifo 'mkfifo ff; stat -c %F ff; (echo through > ff &); cat ff'
t mknod 'mknod nd c 1 3; stat -c "%F %t %T" nd'
t mktemp 'f=$(mktemp /tmp/w/tmp.XXXXXX); test -f "$f" && echo made; basename "$f" | cut -c1-4'
t du_files 'mkdir du1; echo x > du1/a; du -a du1 | awk "{print \$2}" | sort'
t which 'which sh ls awk'
t tee 'echo tee-data | tee te1 te2; cat te1 te2'
t sync 'sync; echo $?'

# ---- system
t id 'id'
t id_parts 'id -u; id -g; id -un; whoami; groups'
t uname_s 'uname -s; uname -m'
t hostname_default 'hostname'
t hostname_set 'hostname bbtest; hostname; cat /proc/sys/kernel/hostname'
t env_i 'env -i A=1 B=two env'
t env_home 'env | grep -E "^(HOME|TERM)=" | sort'
t env_u 'X=1 env -u X sh -c "echo \${X-unset}"'
t date_epoch 'date -u -d @0 "+%Y-%m-%d %H:%M:%S %a %j"'
t date_parse 'date -u -d "2000-01-02 03:04:05" +%s'
t date_year 'date +%Y | grep -c "^20[0-9][0-9]$"'
t date_utc_year 'date -u +%Y | grep -c "^20[0-9][0-9]$"'
t cal 'cal 2 2000'
t nproc 'nproc'
t ps_count 'yes > /dev/null & until [ "$(cat /proc/$!/comm)" = yes ]; do :; done; ps | grep -c "[y]es"; kill $!'
t ps_self 'ps -o comm | grep -c "^ps$"'
t pidof 'yes > /dev/null & until [ "$(cat /proc/$!/comm)" = yes ]; do :; done; pidof yes | wc -w; kill $!'
t proc_self 'readlink /proc/self/exe; cat /proc/self/comm'
t proc_mounts 'grep -E " /(proc|tmp) " /proc/mounts | cut -d" " -f1-3'
t proc_meminfo 'head -n 1 /proc/meminfo | cut -d: -f1'
t renice 'yes > /dev/null & p=$!; renice -n 4 -p $p; cut -d" " -f19 /proc/$p/stat; renice -n -9 -p $p; cut -d" " -f18,19 /proc/$p/stat; renice -n 1 -p 99999; kill $p; wait $p 2>/dev/null'
t proc_cmdline 'cat /proc/$$/cmdline | tr "\0" " "; echo'
t mount_list 'mount | grep -c " on /proc type proc "'
t free_header 'free | head -n 1 | awk "{print \$1, \$2}"'

# ---- /proc as tools read it: layouts and relations, never values that depend on timing
t uname_release 'uname -r | grep -c "^[0-9][0-9]*\.[0-9][0-9]*\.[0-9]"; [ "$(cat /proc/sys/kernel/osrelease)" = "$(uname -r)" ] && echo same'
t uname_o 'uname -o; cat /proc/sys/kernel/ostype'
t proc_sys_kernel 'cat /proc/sys/kernel/pid_max; grep -c "^[0-9][0-9]*$" /proc/sys/kernel/ngroups_max; ls /proc/sys/kernel | grep -xE "hostname|ostype|osrelease|pid_max|ngroups_max"'
t hostname_proc_write 'echo viaproc > /proc/sys/kernel/hostname; hostname; uname -n; cat /proc/sys/kernel/hostname'
t proc_stat_lines 'for k in "cpu " cpu0 intr ctxt btime processes procs_running procs_blocked; do grep -c "^$k" /proc/stat; done'
t proc_stat_cpu 'awk "/^cpu/ {print \$1, NF, (\$2 + \$4 + \$5 > 0)}" /proc/stat'
t proc_stat_btime 'b=$(awk "/^btime/ {print \$2}" /proc/stat); [ "$b" -le "$(date +%s)" ] && [ "$b" -gt 1600000000 ] && echo sane'
t proc_stat_procs 'awk "/^procs_running/ {print (\$2 >= 1)} /^processes/ {print (\$2 > 5)}" /proc/stat'
t proc_cpuinfo_fields 'for f in processor vendor_id "cpu family" model "model name" stepping "cpu MHz" flags bogomips "address sizes"; do printf "%s: " "$f"; grep -c "^$f[[:space:]]*: " /proc/cpuinfo; done'
t proc_cpuinfo_values 'awk -F": " "/^processor/ {print \$2} /^cpu MHz/ {print (\$2 ~ /^[0-9]+\.[0-9][0-9][0-9]\$/)} /^bogomips/ {print (\$2 ~ /^[0-9]+\.[0-9][0-9]\$/)}" /proc/cpuinfo'
t proc_cpuinfo_flags 'grep "^flags" /proc/cpuinfo | tr " " "\n" | grep -xE "fpu|tsc|cx8|cmov|mmx|sse|sse2|syscall|lm" | sort'
t proc_loadavg 'awk "{split(\$4, n, \"/\"); print NF, \$1 ~ /^[0-9]+\.[0-9][0-9]\$/, (n[1] >= 1), (n[2] >= n[1]), (\$5 > 1)}" /proc/loadavg'
t proc_uptime 'awk "{print NF, (\$1 > 0), (\$2 >= 0)}" /proc/uptime'
t proc_fd_links 'echo x > fdf; readlink /proc/self/fd/3 3<fdf; readlink /proc/self/fd/4 4>>/tmp/w/fdf; readlink /proc/self/fd/0 </dev/null; readlink /proc/self/fd/0 </dev/console'
t proc_fd_pipe 'echo | readlink /proc/self/fd/0 | sed "s/[0-9][0-9]*/N/"'
t proc_fd_list 'ls /proc/self/fd 3<fdf 5</dev/null | sort -n | tr "\n" " "; echo'
t proc_fd_modes 'ls -l /proc/self/fd 3<fdf 4>>fdf 5<>fdf 2>/dev/null | awk "\$NF ~ /fdf\$/ {print \$1}"'
t proc_fdinfo 'grep -E "^(pos|flags):" /proc/self/fdinfo/3 3<fdf; grep "^flags:" /proc/self/fdinfo/4 4>>fdf'
t proc_environ 'env -i FOO=bar BAZ=1 cat /proc/self/environ | tr "\0" "\n"'
t proc_cwd_root 'cd /tmp/w && readlink /proc/self/cwd; readlink /proc/self/root'
# Field 39 is the CPU the reader last ran on: any of them, at several.
t proc_pid_stat 'cut -d" " -f2,3 /proc/self/stat; awk -v n=$(nproc) "{print NF, \$20, (\$39 < n), (\$22 > 0), (\$23 > 0), (\$24 > 0), \$25}" /proc/self/stat'
t proc_pid_status 'grep -E "^(Name|State|Uid|Gid|Threads):" /proc/self/status'
t proc_task 'ls /proc/self/task | wc -l; ls /proc/$$/task | grep -cx "$$"'
t proc_ls_pid 'ls /proc/self/ | grep -xE "cmdline|comm|cwd|environ|exe|fd|fdinfo|maps|root|stat|status|task"'
t ps_columns 'yes > /dev/null & until [ "$(cat /proc/$!/comm)" = yes ]; do :; done; ps -o pid,ppid,stat,comm,args | awk -v p=$! "NR == 1 {print} \$1 == p {print \$3, \$4}"; kill $!'
t top_batch 'top -b -n 1 | awk "NR <= 4 {print \$1}"; top -b -n 1 | grep -c "top -b -n 1\$"'
t tty_console 'tty </dev/console'
t free_rows 'free | awk "{print \$1}"'
t uptime_format 'uptime | grep -c "up .* load average: [0-9]*\.[0-9][0-9], [0-9]*\.[0-9][0-9], [0-9]*\.[0-9][0-9]$"'
t pidof_kill 'yes > /dev/null & p=$!; until [ "$(cat /proc/$p/comm)" = yes ]; do :; done; [ "$(pidof yes)" = "$p" ] && echo found; kill $p; wait $p 2>/dev/null; pidof yes || echo gone'
t chroot_applet 'mkdir -p jail/bin jail/etc; cp /bin/busybox jail/bin/; echo jailed > jail/etc/x; chroot jail /bin/busybox sh -c "cd /../..; /bin/busybox cat /etc/x; /bin/busybox ls /"'
t chroot_errors 'chroot nonexistent /bin/true; echo $?; chroot fdf /bin/true; echo $?'
t umask 'umask; umask 027; umask; touch um1; mkdir um2; stat -c "%a" um1 um2'
t ulimit 'ulimit -n'
t tty_none 'tty'
t sleep_status 'sleep 0.1; echo $?'
t usleep 'usleep 1000; echo $?'
t timeout_kills 'timeout 1 sleep 5; echo $?'
t timeout_in_time 'timeout 5 true; echo $?'
# The kill comes while the shell waits (ash prints "Terminated" only then): at several CPUs a
# kill sent at once may end the job before the shell gets to wait.
t kill_term 'yes > /dev/null & p=$!; (sleep 0.3; kill $p) & wait $p; echo $?'
t kill_l 'kill -l 9; kill -l 15'
t kill_0 'kill -0 $$ && echo alive'
t true_false 'true; echo $?; false; echo $?; ! true; echo $?'
t bc 'echo "2^10; 7/2; scale=3; 10/3" | bc'
t dc 'echo "3 4 + p" | dc'
t factor 'factor 360 97'
t expr 'expr 3 + 4; expr 10 / 3; expr 7 % 3; expr length hello; expr substr hello 2 3; expr abc : "a\(.*\)"; expr 1 = 2'
t test_files 'test -f fruit.txt && echo f; test -d tree && echo d; test -e nope || echo no-e; test -s tree/empty || echo empty; test -L sl0 || echo no-L; [ -x /bin/busybox ] && echo x'
t test_strings 'test -z "" && echo z; test -n "a" && echo n; [ abc = abc ] && echo eq; [ abc != abd ] && echo ne; [ b \> a ] && echo gt'
t test_numbers '[ 3 -lt 10 ] && echo lt; [ 10 -ge 10 ] && echo ge; [ -5 -eq -5 ] && echo eq; [ 1 -gt 2 ]; echo $?'
t test_compound '[ 1 -eq 1 -a 2 -eq 2 ] && echo and; [ 1 -eq 2 -o 2 -eq 2 ] && echo or; [ ! -e nope ] && echo not'
t test_error '[ 1 -eq ]; echo $?'
t getopt 'getopt ab:c -- -a -b x y'
t sh_cmdsubst_lines 'printf "%s\n" "$(seq 3)" | sed -n 3p'

# ---- the shell
t sh_pipe 'echo one two three | tr " " "\n" | sort | head -n 2'
t sh_pipe_status 'false | true; echo $?; true | false; echo $?'
t sh_pipefail 'set -o pipefail; false | true; echo $?'
t sh_redirect 'echo x > r1; echo y >> r1; cat < r1; ls nope 2> r2; wc -l < r2'
t sh_redirect_fd 'exec 3> r3; echo via3 >&3; exec 3>&-; cat r3; { echo out; echo err >&2; } 2>&1 | sort'
t sh_noclobber 'echo a > nc; set -C; echo b > nc; echo $?; echo c >| nc; cat nc'
t sh_subshell 'x=1; (x=2; cd /; pwd); echo $x; pwd'
t sh_braces '{ echo a; echo b; } | wc -l'
t sh_function 'f() { echo "args: $# $1 ${2:-none}"; return 3; }; f a; echo $?; f a b'
t sh_recursion 'fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }; fact 10'
t sh_local 'v=global; f() { local v=local; echo $v; }; f; echo $v'
t sh_arith 'echo $(( 2 + 3 * 4 )) $(( (2 + 3) * 4 )) $(( 17 % 5 )) $(( 1 << 4 )) $(( 0x1f )) $(( 010 )) $(( 5 > 3 ? 7 : 9 )) $(( -7 / 2 ))'
t sh_arith_assign 'i=0; while [ $i -lt 5 ]; do i=$((i + 1)); done; echo $i; : $(( j = 6 * 7 )); echo $j; let k=2*3; echo $k'
t sh_case 'for w in apple Banana 42 x.txt ""; do case $w in [aA]*) echo "a-word $w";; [0-9]*) echo "number $w";; *.txt) echo "text $w";; "") echo empty;; *) echo "other $w";; esac; done'
t sh_for 'for i in 1 2 3; do printf "%s," $i; done; echo; for f in tree/a/*; do echo $f; done'
t sh_while_read 'while read -r name count; do echo "$count:$name"; done < fruit.txt'
t sh_ifs_read 'echo "a:b:c" | { IFS=: read -r x y z; echo "$z $y $x"; }'
t sh_until 'n=3; until [ $n -eq 0 ]; do echo $n; n=$((n - 1)); done'
t sh_break_continue 'for i in 1 2 3 4 5 6; do [ $i -eq 2 ] && continue; [ $i -eq 5 ] && break; echo $i; done'
t sh_heredoc 'name=World; cat <<EOF
Hello, $name
sum: $((1 + 2))
EOF'
t sh_heredoc_quoted 'cat <<"EOF"
no $expansion here `date`
EOF'
t sh_heredoc_tabs 'cat <<-EOF
		stripped
	EOF'
t sh_params 'set -- a "b c" d; echo $#; for a in "$@"; do echo "[$a]"; done; shift; echo "$*"'
t sh_expansion 'p=/usr/local/lib/file.tar.gz; echo ${p##*/} ${p#*/} ${p%.*} ${p%%.*} ${#p}; unset u; echo ${u:-def} ${u-d2} ${u:+alt}; s=abcdef; echo ${s:1:3} ${s/cd/XY}'
t sh_assign_default 'unset v; echo ${v:=set}; echo $v'
t sh_error_unset 'unset nv; (echo ${nv:?is missing}); echo $?'
t sh_cmdsubst 'echo "$(echo outer $(echo inner))" `echo back`'
t sh_glob 'cd tree/a && echo *.txt; echo no*match'
t sh_quoting 'a="x  y"; echo $a; echo "$a"; echo '"'"'$a'"'"'; echo "\$a \\ \""'
t sh_ifs_split 'IFS=,; v="a,b,,c"; set -- $v; echo $#; IFS=" "'
t sh_eval 'cmd="echo evaluated"; eval $cmd; x=y; eval "$x=z"; echo $y'
t sh_trap_exit 'sh -c "trap \"echo bye\" EXIT; echo hi"'
t sh_trap_signal 'sh -c "trap \"echo got USR1\" USR1; kill -USR1 \$\$; echo after"'
t sh_trap_int 'sh -c "trap \"echo caught INT; exit 5\" INT; kill -INT \$\$; sleep 1; echo not-reached"; echo $?'
t sh_trap_list 'trap "echo x" HUP; trap'
t sh_wait 'sleep 0.2 & sleep 0.1 & wait; echo $?'
t sh_wait_status '(exit 3) & wait $!; echo $?'
t sh_jobs 'yes > /dev/null & jobs; kill %1; wait'
t sh_bg_order '(sleep 0.3; echo slow) & echo fast; wait'
t sh_signal_exit 'sh -c "kill -9 \$\$"; echo $?'
t sh_exit_status 'sh -c "exit 7"; echo $?; (exit 300); echo $?'
t sh_not_found 'nosuchcommand; echo $?'
t sh_not_executable 'echo "echo hi" > ne.sh; ./ne.sh; echo $?; chmod +x ne.sh; ./ne.sh'
t sh_script_args 'printf "#!/bin/sh\necho \"\$0 \$# \$2\"\n" > sa.sh; chmod +x sa.sh; ./sa.sh x y z'
t sh_set_e 'sh -c "set -e; echo before; false; echo after"; echo $?'
t sh_set_u 'sh -c "set -u; echo \$undefined_var" 2>&1 | sed "s/^sh: //"'
t sh_getopts 'set -- -a -b val rest; while getopts ab: o; do echo "$o ${OPTARG:-}"; done; shift $((OPTIND - 1)); echo "$@"'
t sh_command_v 'command -v ls; type echo | head -n 1; command -v nope; echo $?'
t sh_alias 'alias ll="ls -1"; alias ll'
t sh_readonly 'readonly ro=1; (ro=2) 2>&1; echo $ro'
t sh_export 'export EXP=val; sh -c "echo \$EXP"; NOTEXP=v2; sh -c "echo \${NOTEXP:-unexported}"'
t sh_exec 'sh -c "exec echo replaced; echo not"'
t sh_pwd_P 'mkdir -p real/dir; ln -s real/dir lnk; cd lnk; pwd; pwd -P'
t sh_cd_minus 'cd /tmp; cd /; cd - > /dev/null; pwd'
t sh_pid_subshell 'p=$$; (test $$ = $p && echo same-pid); sh -c "test \$PPID -gt 1 && echo ppid-ok"'
t sh_dollar_bang 'sleep 0.1 & test "$!" -gt 1 && echo bang-ok; wait'
t sh_double_bracket '[[ abc == a* ]] && echo match; [[ -n x && 1 -lt 2 ]] && echo both'
t sh_string_ops 's="hello world"; echo ${s%% *} ${s##* } ${#s}'
t sh_read_heredoc 'read -r a b <<EOF
first second third
EOF
echo "$a|$b"'
t sh_read_eof 'read x; echo "status=$? x=[$x]"'
t sh_printf_builtin 'printf "%s=%d\n" a 1 b 2'
t sh_echo_builtin_vs_applet 'echo -n builtin; /bin/echo " applet"'
t sh_syntax_check 'echo "if true; then echo x; fi" > ok.sh; sh -n ok.sh; echo $?; echo "if true; then" > bad.sh; sh -n bad.sh; echo $?'
t sh_long_pipeline 'seq 1000 | sort -rn | head -n 500 | awk "{s+=\$1} END {print s}"'
t sh_many_procs 'i=0; while [ $i -lt 30 ]; do /bin/true; i=$((i+1)); done; echo $i'
t sh_big_output 'seq 20000 | wc -c; seq 20000 | md5sum'
t sh_big_file 'seq 50000 > big; wc -l < big; tail -n 1 big; md5sum < big'
