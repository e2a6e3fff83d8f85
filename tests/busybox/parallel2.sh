# parallel2.sh: busybox as a parallel userland, second round (tests/system/test_parallel2.py;
# the first is parallel.sh). find | xargs -P4 md5sum over a tree, background writers then
# sort | uniq -c, seq | split with the pieces counted at once, and job control in scripts:
# jobs, wait %N, kill %N. Run by busybox sh on the host and as init on Lantern
# (rdinit=/bin/sh -- /etc/parallel2.sh); every line it prints is fixed (sorted, or totals).
T=/tmp/parallel2.$$
mkdir -p $T
echo "parallel2: start"
# A tree of 60 files, then md5sum over it, 8 names a call, 4 calls at once.
for d in a b c d e; do
    mkdir -p $T/tree/$d/sub
    for f in 1 2 3 4 5 6; do
        seq $f 3 $((f * 700)) | sed "s/^/$d$f /" > $T/tree/$d/f$f
        seq 1 $((f * 50)) | awk -v d=$d '{ print d, $1 * $1 }' > $T/tree/$d/sub/g$f
    done
done
cd $T/tree
find . -type f | xargs -P4 -n8 md5sum | sort > $T/md5.par
find . -type f | xargs -n8 md5sum | sort > $T/md5.seq
echo "find | xargs -P4 md5sum: $(wc -l < $T/md5.par) files, $(md5sum < $T/md5.par | cut -c1-32), same as one at a time: $(cmp -s $T/md5.par $T/md5.seq && echo yes || echo no)"
cd /
# Eight background writers, each its own file, then one sorted count of all their lines.
for i in 1 2 3 4 5 6 7 8; do
    ( for j in $(seq 1 $((i * 40))); do echo "word$(( (i * j) % 13 ))"; done > $T/w$i ) &
done
wait
echo "writers: $(cat $T/w1 $T/w2 $T/w3 $T/w4 $T/w5 $T/w6 $T/w7 $T/w8 | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')"
# seq | split, then every piece counted and summed by its own background job.
mkdir $T/split && cd $T/split
seq 1 20000 | awk '{ print > sprintf("piece.%02d", int((NR - 1) / 1500)) }'   # split(1), as awk
for p in piece.*; do
    ( awk '{ s += $1 } END { print s, NR }' $p > $p.sum ) &
done
wait
echo "split: $(ls piece.* | grep -vc sum) pieces, $(cat piece.*.sum | awk '{ s += $1; n += $2 } END { print s, n }'), joined back: $(cat $(ls piece.* | grep -v sum) | md5sum | cut -c1-32) $(seq 1 20000 | md5sum | cut -c1-32)"
cd /
# Job control in a script: jobs lists the running jobs; wait %N takes one job's status;
# kill %N ends one; the rest finish by themselves.
sh -c '
    sleep 30 & sleep 0.2 && exit 3 & ( seq 1 5000 | sort -rn | head -1 > '$T'/top ) &
    jobs > '$T'/jobs; echo "jobs: $(wc -l < '$T'/jobs) listed"
    wait %2; echo "jobs: wait %2 status $?"
    kill %1; wait %1; echo "jobs: killed %1 status $?"
    wait %3; echo "jobs: wait %3 status $?, top $(cat '$T'/top)"
    wait; echo "jobs: wait for the rest status $?"
'
rm -rf $T
echo "parallel2: done"
[ $$ = 1 ] && poweroff -f
exit 0
