// Reads iCalendar files the way Thunderbird and Nextcloud do, with ical.js (npm, package.json),
// using only the VTIMEZONE each file carries: ical.js has no zone database of its own.
//
// Input on stdin: a JSON list of jobs; output on stdout: a JSON list of results, one per job.
//   {"ics": "BEGIN:VCALENDAR..."}
//       -> {"method", "timezones": [tzid], "events": [{uid, sequence, status, summary,
//           description, start, end (UTC, ISO 8601), start_local, end_local, tzid,
//           organizer: {address, cn}, attendees: [{address, cn, partstat, rsvp, role}]}]}
//   {"ics": "...", "tzid": "Australia/Sydney", "locals": ["2026-04-05T02:30:00", ...]}
//       -> {"utc": ["2026-04-04T15:30:00Z", ...]}: each local time of that zone in UTC.
import ICAL from "ical.js";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (chunk) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function utc(time) {
  return time.convertToZone(ICAL.Timezone.utcTimezone).toString();
}

function local(time) {
  // ical.js writes a UTC time with a trailing Z and a zoned one without: strip for a wall time.
  return time.toString().replace(/Z$/, "");
}

function address(property) {
  if (!property) return null;
  return {
    address: String(property.getFirstValue()).replace(/^mailto:/i, ""),
    cn: property.getParameter("cn") ?? null,
    partstat: property.getParameter("partstat") ?? null,
    rsvp: property.getParameter("rsvp") ?? null,
    role: property.getParameter("role") ?? null,
  };
}

function events(job) {
  const calendar = new ICAL.Component(ICAL.parse(job.ics));
  const method = calendar.getFirstPropertyValue("method");
  return {
    method: method ?? null,
    timezones: calendar
      .getAllSubcomponents("vtimezone")
      .map((zone) => zone.getFirstPropertyValue("tzid")),
    events: calendar.getAllSubcomponents("vevent").map((component) => {
      const event = new ICAL.Event(component);
      return {
        uid: event.uid,
        sequence: event.sequence,
        status: component.getFirstPropertyValue("status"),
        summary: event.summary,
        description: event.description,
        start: utc(event.startDate),
        end: utc(event.endDate),
        start_local: local(event.startDate),
        end_local: local(event.endDate),
        tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
        organizer: address(component.getFirstProperty("organizer")),
        attendees: component.getAllProperties("attendee").map(address),
      };
    }),
  };
}

function probe(job) {
  const calendar = new ICAL.Component(ICAL.parse(job.ics));
  const component = calendar
    .getAllSubcomponents("vtimezone")
    .find((zone) => zone.getFirstPropertyValue("tzid") === job.tzid);
  if (!component) throw new Error(`no VTIMEZONE ${job.tzid}`);
  const zone = new ICAL.Timezone(component);
  return {
    utc: job.locals.map((value) => {
      const time = ICAL.Time.fromDateTimeString(value);
      time.zone = zone;
      return utc(time);
    }),
  };
}

const jobs = JSON.parse(await readStdin());
process.stdout.write(JSON.stringify(jobs.map((job) => ("locals" in job ? probe(job) : events(job)))));
