# parallel3.sh: busybox as a parallel userland, third round (tests/system/test_parallel3.py;
# after parallel.sh and parallel2.sh): compressors and checksummers as several jobs at
# once, over the same files and over pipes. Run by busybox sh on the host and as init on
# Lantern (rdinit=/bin/sh -- /etc/parallel3.sh); every line it prints is fixed.
T=/tmp/parallel3.$$
mkdir -p $T
echo "parallel3: start"
# Eight files of 1000 to 6000 lines, made by eight jobs at once.
for i in 1 2 3 4 5 6 7 8; do
    ( seq $i $i $((i * 2000 + 6000)) | awk -v i=$i '{ print $1 * i % 9973, $1 }' > $T/f$i ) &
done
wait
echo "make: $(cat $T/f? | wc -l) lines, $(cat $T/f? | md5sum | cut -c1-32)"
# Four checksummers over all eight files at once, each its own job; then each again alone.
for sum in md5sum sha1sum sha256sum sha512sum; do
    ( cd $T && $sum f? > $T/$sum.par ) &
done
wait
ok=0
for sum in md5sum sha1sum sha256sum sha512sum; do
    (cd $T && $sum f?) | cmp -s - $T/$sum.par && ok=$((ok + 1))
done
echo "sums: $(cat $T/sha256sum.par | sha256sum | cut -c1-64), same one at a time: $ok of 4"
# gzip -9 of each file, eight jobs; every .gz checked by gzip -t, unpacked by four jobs
# of zcat at once, and compared with its file.
for i in 1 2 3 4 5 6 7 8; do
    ( gzip -9 -c $T/f$i > $T/f$i.gz ) &
done
wait
echo "gzip: $(cat $T/f?.gz | md5sum | cut -c1-32), tested $(gzip -t $T/f?.gz && echo ok)"
for i in 1 2 3 4 5 6 7 8; do
    ( zcat $T/f$i.gz | cmp -s - $T/f$i && echo $i > $T/ok$i ) &
    [ $i = 4 ] && wait
done
wait
echo "zcat: $(cat $T/ok? | tr '\n' ' ')"
# Compressor pipelines at once: gzip | gunzip | md5sum, bzip2 | bunzip2 | sha1sum, and a
# tar of the directory through gzip, listed and unpacked elsewhere.
( cat $T/f1 $T/f2 | gzip -1 | gunzip | md5sum | cut -c1-32 > $T/p1 ) &
( cat $T/f3 $T/f4 | bzip2 -1 | bunzip2 | sha1sum | cut -c1-40 > $T/p2 ) &
( cd $T && tar cf - f5 f6 f7 f8 | gzip > $T/t.tgz ) &
( cat $T/f1 $T/f2 | md5sum | cut -c1-32 > $T/q1; cat $T/f3 $T/f4 | sha1sum | cut -c1-40 > $T/q2 ) &
wait
mkdir $T/x && (cd $T/x && tar xzf $T/t.tgz)
echo "pipes: gzip $(cmp -s $T/p1 $T/q1 && echo same), bzip2 $(cmp -s $T/p2 $T/q2 && echo same), tar $(tar tzf $T/t.tgz | tr '\n' ' ')$(cd $T/x && md5sum f? | md5sum | cut -c1-32) $(cd $T && md5sum f5 f6 f7 f8 | md5sum | cut -c1-32)"
# xargs -P4 gzip -d of copies, then dd reading the same file in four jobs at offsets.
mkdir $T/c && cp $T/f?.gz $T/c/
ls $T/c/*.gz | xargs -P4 -n1 gzip -d
echo "xargs -P4 gzip -d: $(cd $T/c && ls | tr '\n' ' ')$(cat $T/c/f? | md5sum | cut -c1-32)"
for k in 0 1 2 3; do
    ( dd if=$T/f8 bs=1024 skip=$((k * 32)) count=32 2>/dev/null > $T/dd$k ) &
done
wait
echo "dd: $(cat $T/dd0 $T/dd1 $T/dd2 $T/dd3 | md5sum | cut -c1-32) $(dd if=$T/f8 bs=1024 count=128 2>/dev/null | md5sum | cut -c1-32)"
rm -rf $T
echo "parallel3: done"
[ $$ = 1 ] && poweroff -f
exit 0
