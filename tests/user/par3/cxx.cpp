// cxx.cpp: par3cxx (g++ -static -std=c++20) and par3cxx_dyn (dynamic: libstdc++.so.6):
// C++'s threads as people use them (the third round of parallel programs:
// tests/system/test_parallel3.py). Every line is fixed whatever the timing.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <execution>
#include <future>
#include <latch>
#include <map>
#include <mutex>
#include <numeric>
#include <semaphore>
#include <shared_mutex>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <sys/mount.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace std::chrono_literals;

static std::uint64_t mix(std::uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// async: futures from std::async (new threads), one carrying an exception; a
// packaged_task and a promise set from other threads.
static void async_case()
{
    std::vector<std::future<std::uint64_t>> fs;
    for (int k = 0; k < 8; k++)
        fs.push_back(std::async(std::launch::async, [k] {
            std::uint64_t s = 0;
            for (int i = 0; i < 50000; i++)
                s += mix(k * 1000000 + i) % 100;
            return s;
        }));
    std::uint64_t total = 0;
    for (auto &f : fs)
        total += f.get();
    auto bad = std::async(std::launch::async, []() -> int { throw std::runtime_error("thrown in a thread"); });
    std::string what;
    try {
        bad.get();
    } catch (const std::exception &e) {
        what = e.what();
    }
    std::packaged_task<int(int)> task([](int x) { return x * 7; });
    auto tf = task.get_future();
    std::thread(std::move(task), 6).join();
    std::promise<std::string> p;
    auto pf = p.get_future();
    std::jthread setter([&p] { std::this_thread::sleep_for(5ms); p.set_value("promised"); });
    std::printf("async: total %llu, caught \"%s\", task %d, %s\n", (unsigned long long)total,
                what.c_str(), tf.get(), pf.get().c_str());
}

// queue: a bounded queue of a mutex and two condition variables; 3 producers, 3
// consumers, 6000 items.
static void queue_case()
{
    std::mutex m;
    std::condition_variable not_full, not_empty;
    std::deque<int> q;
    bool closed = false;
    std::atomic<std::uint64_t> sum{0};
    std::atomic<int> got{0};
    std::vector<std::thread> ts;
    for (int c = 0; c < 3; c++)
        ts.emplace_back([&] {
            for (;;) {
                std::unique_lock lk(m);
                not_empty.wait(lk, [&] { return !q.empty() || closed; });
                if (q.empty())
                    return;
                int v = q.front();
                q.pop_front();
                not_full.notify_one();
                lk.unlock();
                sum += v;
                got++;
            }
        });
    std::vector<std::thread> ps;
    for (int p = 0; p < 3; p++)
        ps.emplace_back([&, p] {
            for (int i = 0; i < 2000; i++) {
                std::unique_lock lk(m);
                not_full.wait(lk, [&] { return q.size() < 16; });
                q.push_back(p * 2000 + i);
                not_empty.notify_one();
            }
        });
    for (auto &t : ps)
        t.join();
    {
        std::lock_guard lk(m);
        closed = true;
    }
    not_empty.notify_all();
    for (auto &t : ts)
        t.join();
    std::printf("queue: %d items, sum %llu\n", got.load(), (unsigned long long)sum.load());
}

// shared: a shared_mutex over a map; 3 readers check an invariant while 1 writer
// changes it 100 times; std::scoped_lock of two mutexes in opposite orders (no deadlock).
static void shared_case()
{
    std::shared_mutex rw;
    std::map<int, int> table;
    for (int i = 0; i < 64; i++)
        table[i] = 0;
    std::atomic<long> bad{0};
    std::vector<std::thread> rs;
    for (int r = 0; r < 3; r++)      // a bounded number of reads each: a reader-preferring
        rs.emplace_back([&] {        // lock may keep the writer out while readers loop
            for (int i = 0; i < 300; i++) {
                std::shared_lock lk(rw);
                int first = table.begin()->second;
                for (auto &kv : table)
                    bad += kv.second != first;
            }
        });
    std::thread w([&] {
        for (int g = 1; g <= 100; g++) {
            std::unique_lock lk(rw);
            for (auto &kv : table)
                kv.second = g;
        }
    });
    w.join();
    for (auto &t : rs)
        t.join();
    std::mutex a, b;
    long n = 0;
    std::thread t1([&] { for (int i = 0; i < 5000; i++) { std::scoped_lock lk(a, b); n++; } });
    std::thread t2([&] { for (int i = 0; i < 5000; i++) { std::scoped_lock lk(b, a); n++; } });
    t1.join();
    t2.join();
    std::printf("shared: torn reads %ld, last generation %d, scoped_lock count %ld\n", bad.load(),
                table[63], n);
}

// sync: std::latch, std::barrier with a completion step, a counting_semaphore limiting
// a section to 2 threads, std::atomic wait/notify, call_once.
static void sync_case()
{
    std::latch ready(4);
    std::atomic<int> phase_sum{0};
    int completions = 0;
    std::barrier bar(4, [&]() noexcept { completions++; });
    std::counting_semaphore<2> sem(2);
    std::atomic<int> inside{0}, most{0};
    std::once_flag once;
    std::atomic<int> once_runs{0};
    std::vector<std::jthread> ts;
    for (int k = 0; k < 4; k++)
        ts.emplace_back([&, k] {
            ready.count_down();
            ready.wait();
            for (int ph = 0; ph < 100; ph++) {
                phase_sum += ph * (k + 1);
                bar.arrive_and_wait();
            }
            for (int i = 0; i < 200; i++) {
                sem.acquire();
                int now = ++inside;
                int m = most;
                while (now > m && !most.compare_exchange_weak(m, now))
                    ;
                std::call_once(once, [&] { once_runs++; });
                --inside;
                sem.release();
            }
        });
    ts.clear();   // joins
    std::atomic<int> flag{0};
    std::jthread waker([&] { std::this_thread::sleep_for(10ms); flag = 1; flag.notify_all(); });
    flag.wait(0);
    std::printf("sync: phase sum %d, completions %d, at most %d in the section, once %d, woken %d\n",
                phase_sum.load(), completions, most.load() <= 2 ? 2 : most.load(), once_runs.load(),
                flag.load());
}

// jthread: stop tokens: four workers loop until asked to stop; a stop_callback runs once;
// a condition_variable_any wait is interrupted by the stop.
static void jthread_case()
{
    std::atomic<int> callbacks{0}, stopped{0};
    std::atomic<long> work{0};
    {
        std::vector<std::jthread> ts;
        for (int k = 0; k < 4; k++)
            ts.emplace_back([&](std::stop_token st) {
                std::stop_callback cb(st, [&] { callbacks++; });
                while (!st.stop_requested())
                    work++;
                stopped++;
            });
        while (work < 10000)
            std::this_thread::yield();
    }   // each jthread asks its thread to stop, then joins
    std::mutex m;
    std::condition_variable_any cv;
    bool woke_by_stop = false;
    std::jthread sleeper([&](std::stop_token st) {
        std::unique_lock lk(m);
        bool ready = cv.wait(lk, st, [] { return false; });
        woke_by_stop = !ready && st.stop_requested();
    });
    std::this_thread::sleep_for(20ms);
    sleeper.request_stop();
    sleeper.join();
    std::printf("jthread: stopped %d, callbacks %d, condition wait ended by stop: %s\n", stopped.load(),
                callbacks.load(), woke_by_stop ? "yes" : "no");
}

// tls: thread_local objects with constructors and destructors in 100 threads.
static std::atomic<int> ctors{0}, dtors{0};
struct Counted {
    std::vector<int> v;
    Counted() : v(100, 1) { ctors++; }
    ~Counted() { dtors++; }
};
static thread_local Counted counted;

static void tls_case()
{
    std::atomic<long> sum{0};
    for (int round = 0; round < 25; round++) {
        std::vector<std::thread> ts;
        for (int k = 0; k < 4; k++)
            ts.emplace_back([&] { sum += std::accumulate(counted.v.begin(), counted.v.end(), 0); });
        for (auto &t : ts)
            t.join();
    }
    std::printf("tls: sum %ld, constructed %d, destroyed %d\n", sum.load(), ctors.load(), dtors.load());
}

// algorithms: the parallel execution policies (libstdc++ without TBB runs them in one
// thread: the results are the same either way) and a hand-made parallel sort.
static void algo_case()
{
    std::vector<std::uint64_t> v(100000);
    for (std::size_t i = 0; i < v.size(); i++)
        v[i] = mix(i) % 1000000;
    auto w = v;
    std::sort(std::execution::par, v.begin(), v.end());
    auto s = std::reduce(std::execution::par_unseq, v.begin(), v.end(), std::uint64_t{0});
    const std::size_t n = w.size(), q = n / 4;
    std::vector<std::thread> ts;
    for (int k = 0; k < 4; k++)
        ts.emplace_back([&, k] { std::sort(w.begin() + k * q, w.begin() + (k + 1) * q); });
    for (auto &t : ts)
        t.join();
    std::thread m1([&] { std::inplace_merge(w.begin(), w.begin() + q, w.begin() + 2 * q); });
    std::thread m2([&] { std::inplace_merge(w.begin() + 2 * q, w.begin() + 3 * q, w.end()); });
    m1.join();
    m2.join();
    std::inplace_merge(w.begin(), w.begin() + 2 * q, w.end());
    std::printf("algorithms: sum %llu, median %llu, threads' sort equal: %s\n", (unsigned long long)s,
                (unsigned long long)v[n / 2], v == w ? "yes" : "no");
}

int main()
{
    if (getpid() == 1)
        mount("proc", "/proc", "proc", 0, nullptr);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    async_case();
    queue_case();
    shared_case();
    sync_case();
    jthread_case();
    tls_case();
    algo_case();
    std::printf("done\n");
    return 0;
}
