//! Best-effort conversion of header timestamps to Unix milliseconds.
//!
//! Handles the common written forms without a format string: ISO 8601 and its
//! relatives (`2015-10-18 18:01:47,978`), `yy/mm/dd`, `mm-dd` (logcat), syslog
//! (`Jun 14 15:16:01`), Apache (`[Sun Dec 04 04:47:44 2005]`), BGL
//! (`2005-06-03-15.42.50.675872`) and epochs. A missing year is taken as 1970:
//! only differences between timestamps of one log matter for windows.

use crate::kind::month_number;

/// Parses `text` into Unix milliseconds (UTC; offsets are ignored).
pub fn parse_millis(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches('[').trim_end_matches(']');
    let mut nums: [(u64, u8); 10] = [(0, 0); 10];
    let mut n = 0usize;
    let mut month = None;
    for part in t.split(|c: char| !c.is_ascii_alphanumeric()) {
        if part.is_empty() {
            continue;
        }
        if part.bytes().all(|c| c.is_ascii_digit()) {
            if n < nums.len() && part.len() <= 18 {
                nums[n] = (part.parse().ok()?, part.len() as u8);
                n += 1;
            }
        } else if let Some(m) = month_number(part) {
            month = Some(m);
        } else if part.len() > 1 && part.bytes().any(|c| c.is_ascii_digit()) {
            // `15T18` in ISO forms: split at the letter.
            for p in part.split(|c: char| c.is_ascii_alphabetic()) {
                if !p.is_empty() && n < nums.len() {
                    nums[n] = (p.parse().ok()?, p.len() as u8);
                    n += 1;
                }
            }
        }
    }
    let nums = &nums[..n];
    if month.is_none() && n == 1 {
        let (v, len) = nums[0];
        return match len {
            10 => Some(v as i64 * 1000),
            13 => Some(v as i64),
            _ => None,
        };
    }
    let (y, mo, d, rest): (i64, u32, u32, &[(u64, u8)]) = if let Some(m) = month {
        // syslog / Apache: day first among the numbers, a 4-digit year anywhere.
        let day = nums.iter().find(|(v, l)| *l <= 2 && *v >= 1 && *v <= 31)?.0 as u32;
        let year = nums
            .iter()
            .find(|(_, l)| *l == 4)
            .map_or(1970, |(v, _)| *v as i64);
        let times: Vec<(u64, u8)> = nums
            .iter()
            .skip_while(|(v, l)| !(*l <= 2 && *v as u32 == day))
            .skip(1)
            .filter(|(_, l)| *l != 4)
            .copied()
            .collect();
        return civil(year, m, day, &times);
    } else if n >= 3 && nums[0].1 == 4 {
        (
            nums[0].0 as i64,
            nums[1].0 as u32,
            nums[2].0 as u32,
            &nums[3..],
        )
    } else if n >= 3 && nums[2].1 == 4 {
        // dd/mm/yyyy when the first is > 12, else mm/dd/yyyy.
        let (a, b) = (nums[0].0 as u32, nums[1].0 as u32);
        let (mo, d) = if a > 12 { (b, a) } else { (a, b) };
        (nums[2].0 as i64, mo, d, &nums[3..])
    } else if n >= 3 && nums[0].1 == 2 && nums[1].1 == 2 && nums[2].1 == 2 && t.contains('/') {
        (
            2000 + nums[0].0 as i64,
            nums[1].0 as u32,
            nums[2].0 as u32,
            &nums[3..],
        )
    } else if n >= 2 && nums[0].1 <= 2 && nums[1].1 <= 2 && (t.contains('-') || t.contains('/')) {
        (1970, nums[0].0 as u32, nums[1].0 as u32, &nums[2..])
    } else if n >= 2 && nums[0].1 == 6 && nums[1].1 == 6 {
        // yymmdd hhmmss
        let (a, b) = (nums[0].0, nums[1].0);
        let times = [(b / 10000, 2), (b / 100 % 100, 2), (b % 100, 2)];
        return civil(
            2000 + (a / 10000) as i64,
            (a / 100 % 100) as u32,
            (a % 100) as u32,
            &times,
        );
    } else {
        return None;
    };
    civil(y, mo, d, rest)
}

/// Milliseconds from a civil date and `[h, m, s, fraction]` numbers.
fn civil(y: i64, m: u32, d: u32, time: &[(u64, u8)]) -> Option<i64> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let get = |i: usize| time.get(i).map_or(0, |(v, _)| *v as i64);
    let (h, mi, s) = (get(0), get(1), get(2));
    if h > 24 || mi > 59 || s > 60 {
        return None;
    }
    let frac_ms = time.get(3).map_or(0, |&(v, len)| {
        let v = v as f64 / 10f64.powi(i32::from(len));
        (v * 1000.0) as i64
    });
    Some((days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s) * 1000 + frac_ms)
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_millis;

    #[test]
    fn parses_common_forms() {
        let iso = parse_millis("2015-10-18 18:01:47,978").expect("iso");
        assert_eq!(iso, 1_445_191_307_978);
        assert_eq!(parse_millis("2015-10-18T18:01:47.978Z"), Some(iso));
        assert_eq!(parse_millis("1117838570"), Some(1_117_838_570_000));
        assert_eq!(
            parse_millis("[Sun Dec 04 04:47:44 2005]"),
            Some(1_133_671_664_000)
        );
        assert_eq!(
            parse_millis("2005-06-03-15.42.50.675872"),
            Some(1_117_813_370_675)
        );
        assert_eq!(parse_millis("17/06/09 20:10:40"), Some(1_497_039_040_000));
        assert_eq!(
            parse_millis("[10/Oct/2023:13:55:36 +0000]"),
            Some(1_696_946_136_000)
        );
        let a = parse_millis("Jun 14 15:16:01").expect("syslog");
        let b = parse_millis("Jun 14 15:16:02").expect("syslog");
        assert_eq!(b - a, 1000);
        assert!(parse_millis("03-17 16:13:38.811").is_some());
        assert!(parse_millis("081109 203615").is_some());
        assert_eq!(parse_millis("hello"), None);
    }
}
