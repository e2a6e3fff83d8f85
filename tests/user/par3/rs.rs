// rs.rs: par3rs, Rust's std threads as people use them (the third round of parallel
// programs: tests/system/test_parallel3.py), std only, linked statically
// (-C target-feature=+crt-static). Every line is fixed whatever the timing.
//
//   par3rs                  every case, in order
//   par3rs --upper | --sum  the children of the pipeline case (filters on stdin)
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Condvar, Mutex, RwLock};
use std::thread;
use std::time::Duration;

fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d049bb133111eb);
    x ^ (x >> 31)
}

// scope: scoped threads borrowing one slice, each summing its quarter; then a parallel
// word count into a Mutex<BTreeMap>.
fn scope_case() {
    let data: Vec<u64> = (0..400_000).map(|i| mix(i) % 1000).collect();
    let mut sums = [0u64; 4];
    thread::scope(|s| {
        for (chunk, out) in data.chunks(100_000).zip(sums.iter_mut()) {
            s.spawn(move || *out = chunk.iter().sum());
        }
    });
    let counts = Mutex::new(BTreeMap::new());
    thread::scope(|s| {
        for k in 0..4u64 {
            let counts = &counts;
            s.spawn(move || {
                for i in 0..5000u64 {
                    *counts.lock().unwrap().entry(mix(k * 5000 + i) % 7).or_insert(0u32) += 1;
                }
            });
        }
    });
    println!("scope: sums {:?}, total {}, counts {:?}", sums, sums.iter().sum::<u64>(),
             counts.into_inner().unwrap().values().collect::<Vec<_>>());
}

// channels: four producers into one mpsc channel, a sync_channel of capacity 2 between
// two stages, and the receivers ending when every sender is gone.
fn channel_case() {
    let (tx, rx) = mpsc::channel::<u64>();
    let (stx, srx) = mpsc::sync_channel::<u64>(2);
    let stage = thread::spawn(move || {
        let mut n = 0u64;
        for v in rx {
            stx.send(v * 2).unwrap();
            n += 1;
        }
        n
    });
    let producers: Vec<_> = (0..4u64).map(|k| {
        let tx = tx.clone();
        thread::spawn(move || for i in 0..3000 { tx.send(k * 3000 + i).unwrap(); })
    }).collect();
    drop(tx);
    let total: u64 = srx.iter().sum();
    for p in producers {
        p.join().unwrap();
    }
    println!("channels: {} through the stage, total {}", stage.join().unwrap(), total);
}

// locks: Arc<Mutex> counter, an RwLock whose readers check an invariant while a writer
// changes it, a Condvar queue, and atomics.
fn lock_case() {
    let counter = Arc::new(Mutex::new(0u64));
    let hs: Vec<_> = (0..4).map(|_| {
        let c = Arc::clone(&counter);
        thread::spawn(move || for _ in 0..5000 { *c.lock().unwrap() += 1; })
    }).collect();
    hs.into_iter().for_each(|h| h.join().unwrap());
    let table = Arc::new(RwLock::new(vec![0u32; 32]));
    let stop = Arc::new(AtomicBool::new(false));
    let torn = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..3).map(|_| {
        let (t, s, bad) = (Arc::clone(&table), Arc::clone(&stop), Arc::clone(&torn));
        thread::spawn(move || while !s.load(Ordering::Relaxed) {
            let v = t.read().unwrap();
            if v.iter().any(|&x| x != v[0]) {
                bad.fetch_add(1, Ordering::Relaxed);
            }
        })
    }).collect();
    for g in 1..=200 {
        let mut w = table.write().unwrap();
        w.iter_mut().for_each(|x| *x = g);
    }
    stop.store(true, Ordering::Relaxed);
    readers.into_iter().for_each(|h| h.join().unwrap());
    let pair = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
    let consumers: Vec<_> = (0..3).map(|_| {
        let p = Arc::clone(&pair);
        thread::spawn(move || {
            let (m, cv) = &*p;
            let mut got = 0u64;
            loop {
                let mut q = cv.wait_while(m.lock().unwrap(), |q| q.is_empty()).unwrap();
                let v = q.pop().unwrap();
                if v == u64::MAX {
                    return got;
                }
                got += v;
            }
        })
    }).collect();
    for i in 0..3000u64 {
        pair.0.lock().unwrap().insert(0, i);
        pair.1.notify_one();
    }
    for _ in 0..3 {
        pair.0.lock().unwrap().insert(0, u64::MAX);
        pair.1.notify_one();
    }
    let got: u64 = consumers.into_iter().map(|h| h.join().unwrap()).sum();
    let hits = Arc::new(AtomicUsize::new(0));
    thread::scope(|s| for _ in 0..4 {
        s.spawn(|| for _ in 0..10000 { hits.fetch_add(1, Ordering::SeqCst); });
    });
    println!("locks: mutex {}, rwlock torn {} last {}, condvar {}, atomic {}", *counter.lock().unwrap(),
             torn.load(Ordering::Relaxed), table.read().unwrap()[31], got, hits.load(Ordering::SeqCst));
}

// barrier and park: phases behind a Barrier (one leader each time); a thread parked until
// unparked, and park_timeout.
fn barrier_case() {
    let bar = Arc::new(Barrier::new(4));
    let leaders = Arc::new(AtomicU64::new(0));
    let hs: Vec<_> = (0..4).map(|_| {
        let (b, l) = (Arc::clone(&bar), Arc::clone(&leaders));
        thread::spawn(move || for _ in 0..300 {
            if b.wait().is_leader() {
                l.fetch_add(1, Ordering::Relaxed);
            }
        })
    }).collect();
    hs.into_iter().for_each(|h| h.join().unwrap());
    let flag = Arc::new(AtomicBool::new(false));
    let f = Arc::clone(&flag);
    let parked = thread::spawn(move || {
        let mut parks = 0;
        while !f.load(Ordering::Acquire) {
            thread::park();
            parks += 1;
        }
        thread::park_timeout(Duration::from_millis(5));
        parks > 0
    });
    thread::sleep(Duration::from_millis(20));
    flag.store(true, Ordering::Release);
    parked.thread().unpark();
    println!("barrier: {} leaders, parked and woken: {}", leaders.load(Ordering::Relaxed),
             parked.join().unwrap());
}

// panic: a thread panics; join returns the payload; a poisoned mutex is seen by others;
// Builder's names and stack sizes; available_parallelism says something (not printed).
fn panic_case() {
    std::panic::set_hook(Box::new(|_| {}));   // the host's stderr stays empty
    let h = thread::Builder::new().name("worker-7".into()).stack_size(256 * 1024)
        .spawn(|| -> u32 { panic!("worker {} gave up", thread::current().name().unwrap()) }).unwrap();
    let msg = match h.join() {
        Err(e) => e.downcast_ref::<String>().cloned().unwrap_or_default(),
        Ok(_) => "no panic".into(),
    };
    let m = Arc::new(Mutex::new(1));
    let m2 = Arc::clone(&m);
    let _ = thread::spawn(move || { let _g = m2.lock().unwrap(); panic!("poison"); }).join();
    let poisoned = m.lock().is_err();
    let many: Vec<_> = (0..16).map(|k| thread::Builder::new().name(format!("t{}", k))
        .spawn(move || thread::current().name().unwrap().len() + k).unwrap()).collect();
    let names: usize = many.into_iter().map(|h| h.join().unwrap()).sum();
    let cpus = thread::available_parallelism().map(|n| n.get() >= 1).unwrap_or(false);
    println!("panic: joined \"{}\", poisoned {}, names {}, available_parallelism ok {}", msg, poisoned,
             names, cpus);
}

// pipeline: four threads each run this program twice as `--upper | --sum` children
// joined by a pipe, feeding the first and reading the second.
fn pipeline_case() {
    let exe = std::env::args().next().unwrap();
    let outs: Vec<_> = (0..4u64).map(|k| {
        let exe = exe.clone();
        thread::spawn(move || {
            let mut up = Command::new(&exe).arg("--upper").stdin(Stdio::piped())
                .stdout(Stdio::piped()).spawn().unwrap();
            let sum = Command::new(&exe).arg("--sum").stdin(up.stdout.take().unwrap())
                .stdout(Stdio::piped()).spawn().unwrap();
            let mut input = up.stdin.take().unwrap();
            for i in 0..2000 {
                writeln!(input, "line {} of {}", mix(k * 2000 + i) % 100_000, k).unwrap();
            }
            drop(input);
            let out = sum.wait_with_output().unwrap();
            let st = up.wait().unwrap();
            format!("{}/{}", String::from_utf8_lossy(&out.stdout).trim(), st.code().unwrap())
        })
    }).collect();
    let res: Vec<String> = outs.into_iter().map(|h| h.join().unwrap()).collect();
    let st = Command::new(&exe).arg("--exit").status().unwrap();
    println!("pipeline: {:?}, unknown child option exits {:?}", res, st.code());
}

fn child(mode: &str) -> i32 {
    let stdin = std::io::stdin();
    match mode {
        "--upper" => {
            let mut out = std::io::stdout().lock();
            for l in stdin.lock().lines() {
                writeln!(out, "{}", l.unwrap().to_uppercase()).unwrap();
            }
            0
        }
        "--sum" => {
            let mut s = String::new();
            BufReader::new(stdin.lock()).read_to_string(&mut s).unwrap();
            let n: u64 = s.split_whitespace().filter_map(|w| w.parse::<u64>().ok()).sum();
            let ups = s.lines().filter(|l| l.starts_with("LINE")).count();
            println!("{} {}", ups, n);
            0
        }
        _ => 3,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 2 && args[1].starts_with("--") {
        std::process::exit(child(&args[1]));
    }
    scope_case();
    channel_case();
    lock_case();
    barrier_case();
    panic_case();
    pipeline_case();
    println!("done");
}
