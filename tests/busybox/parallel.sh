# parallel.sh: busybox as a parallel userland (tests/system/test_parallel.py). Background
# subshells, xargs -P4, and sort, gzip, md5sum pipelines running at once. Run by busybox sh
# on the host and as init on Lantern (rdinit=/bin/sh -- /etc/parallel.sh); every line it
# prints is fixed (results are sorted or gathered in order), so the outputs must match.
T=/tmp/parallel.$$
mkdir -p $T
echo "parallel: start"
# Four subshells at once, each a pipeline of its own; wait for all.
for i in 1 2 3 4; do
    ( seq 1 $((i * 3000)) | awk '{ s += $1 } END { print s }' > $T/sum$i ) &
done
wait
echo "subshells: $(cat $T/sum1 $T/sum2 $T/sum3 $T/sum4 | tr '\n' ' ')"
# Compress and decompress four streams at once; each must come back whole.
for i in 1 2 3 4; do
    ( seq $i 7 40000 | sed "s/^/$i:/" | gzip -c > $T/z$i.gz && gzip -dc $T/z$i.gz | md5sum | cut -c1-32 > $T/md5$i ) &
done
wait
for i in 1 2 3 4; do
    echo "gzip $i: $(cat $T/md5$i) $(seq $i 7 40000 | sed "s/^/$i:/" | md5sum | cut -c1-32)"
done
# xargs runs four at a time; the order of their lines varies, the sorted set does not.
seq 1 64 | xargs -P4 -n 4 sh -c 'echo $(( $1 * $2 + $3 * $4 ))' sh | sort -n | md5sum | cut -c1-32 > $T/xargs
echo "xargs -P4: $(cat $T/xargs) $(seq 1 64 | xargs -n 4 sh -c 'echo $(( $1 * $2 + $3 * $4 ))' sh | sort -n | md5sum | cut -c1-32)"
# Four sorts feeding one merge; exit statuses of background jobs through wait PID.
for i in 1 2 3 4; do
    ( seq 1 5000 | awk -v k=$i '{ print ($1 * 7919 * k) % 10007 }' | sort -n > $T/s$i; exit $i ) &
    eval "pid$i=$!"
done
st=""
for i in 1 2 3 4; do
    eval "wait \$pid$i"
    st="$st $?"
done
echo "sort: statuses$st, merged $(sort -m -n $T/s1 $T/s2 $T/s3 $T/s4 | md5sum | cut -c1-32)"
# A background job killed while it runs: wait reports 128 + SIGTERM.
sleep 30 &
victim=$!
kill $victim
wait $victim
echo "killed job: status $?"
rm -rf $T
echo "parallel: done"
[ $$ = 1 ] && poweroff -f
exit 0
