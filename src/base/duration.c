#include "duration.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Limit: 100 days, far beyond any scenario, and safe from overflow in every unit. */
#define MAX_NS UINT64_C(8640000000000000)

static uint64_t gcd(uint64_t a, uint64_t b) {
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static const char DURATION_FORMS[] =
    "expected a duration such as 250ms, 1.5s, 2m or 0 (units: us, ms, s, m, h)";

int duration_parse(const char *s, size_t len, int64_t *out_ns, const char **why) {
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (i < len && s[i] == '-') {
        *why = "durations cannot be negative";
        return -1;
    }
    uint64_t whole = 0, frac = 0, frac_scale = 1;
    bool any_digit = false;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        any_digit = true;
        whole = whole * 10 + (uint64_t)(s[i] - '0');
        if (whole > MAX_NS) { /* too large in any unit; also keeps whole * 10 from overflowing */
            *why = "duration is too large";
            return -1;
        }
    }
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            any_digit = true;
            if (frac_scale < UINT64_C(1000000000000000000)) { /* digits past 1e-18 are noise */
                frac = frac * 10 + (uint64_t)(s[i] - '0');
                frac_scale *= 10;
            }
        }
    }
    if (!any_digit) {
        *why = DURATION_FORMS;
        return -1;
    }
    const char *unit = s + i;
    size_t ulen = len - i;
    uint64_t mult;
    if (ulen == 0) {
        if (whole == 0 && frac == 0) {
            *out_ns = 0;
            return 0;
        }
        *why = "a duration needs a unit, e.g. 250ms or 1.5s (units: us, ms, s, m, h)";
        return -1;
    } else if (ulen == 2 && memcmp(unit, "ns", 2) == 0) {
        mult = 1;
    } else if (ulen == 2 && memcmp(unit, "us", 2) == 0) {
        mult = 1000;
    } else if (ulen == 2 && memcmp(unit, "ms", 2) == 0) {
        mult = 1000000;
    } else if (ulen == 1 && unit[0] == 's') {
        mult = 1000000000;
    } else if (ulen == 1 && unit[0] == 'm') {
        mult = UINT64_C(60000000000);
    } else if (ulen == 1 && unit[0] == 'h') {
        mult = UINT64_C(3600000000000);
    } else {
        *why = DURATION_FORMS;
        return -1;
    }
    if (whole > MAX_NS / mult) {
        *why = "duration is too large";
        return -1;
    }
    /* frac/frac_scale × mult without overflowing: cancel the common factor first. Either
     * frac_scale divides mult (the product is below mult), or mult/g is at most 36. */
    uint64_t g = gcd(mult, frac_scale);
    uint64_t ns = whole * mult + frac * (mult / g) / (frac_scale / g);
    if (ns > MAX_NS) {
        *why = "duration is too large";
        return -1;
    }
    *out_ns = (int64_t)ns;
    return 0;
}

void duration_format(int64_t ns, char *out, size_t outlen) {
    if (ns < 0) ns = 0;
    /* Each branch rounds to its own resolution; a value that rounds up to the next unit's
     * threshold (999.96ms) is shown in that unit (1s), never as 1000ms. Unsigned, so rounding
     * INT64_MAX cannot overflow. */
    uint64_t u = (uint64_t)ns;
    long long us = (long long)((u + 500) / 1000);
    long long tenths = (long long)((u + 50000) / 100000); /* 0.1 ms resolution */
    if (ns == 0) {
        snprintf(out, outlen, "0");
    } else if (ns < 1000) {
        snprintf(out, outlen, "%lldns", (long long)ns);
    } else if (us < 1000) {
        snprintf(out, outlen, "%lldus", us);
    } else if (tenths < 10000) {
        if (tenths % 10)
            snprintf(out, outlen, "%lld.%lldms", tenths / 10, tenths % 10);
        else
            snprintf(out, outlen, "%lldms", tenths / 10);
    } else {
        long long ms = (long long)((u + 500000) / (uint64_t)NS_PER_MS);
        if (ms % 1000)
            snprintf(out, outlen, "%lld.%03llds", ms / 1000, ms % 1000);
        else
            snprintf(out, outlen, "%llds", ms / 1000);
        /* trim trailing zeros of the fraction: 1.500s -> 1.5s */
        char *dot = strchr(out, '.');
        if (dot) {
            char *s = strchr(out, 's');
            char *e = s - 1;
            while (e > dot && *e == '0')
                e--;
            if (e == dot) e--;
            e[1] = 's';
            e[2] = '\0';
        }
    }
}
