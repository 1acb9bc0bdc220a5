// backup (R01): a backup of A, stored encrypted, its SHA-256 recorded and checked.
#include "failover_hil/sim/model/backup.hpp"

#include <fstream>

#include "step_support.hpp"

namespace failover_hil::hil {

namespace {

std::string run(RunContext& ctx, const StepSpec&) {
  const auto status = ctx.observe(ctx.A());
  if (!status.healthy)
    throw AbortSafely("R01: appA is not healthy (" + std::string(to_string(status.state)) +
                      "); no backup taken");
  ctx.event(EventType::invoke, op::download_backup, "", {}, "appA");
  const auto b = ctx.A().download_backup(ctx.backup_password);
  std::filesystem::create_directories(ctx.dir / "backups");
  const auto file = ctx.dir / "backups" / ("appA-" + std::to_string(ctx.now_ns()) + ".bak");
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.bytes.data()),
             static_cast<std::streamsize>(b.bytes.size()));
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::string verified = "sha256 recorded";
  if (ctx.simulator()) {
    // The simulator's format is known: open it with the password, as a restore would.
    const auto opened = sim::open_backup(b.bytes, sim::BackupSecret::password(ctx.backup_password));
    if (opened.appliance_name != ctx.A().name())
      throw AbortSafely("R01: the backup names " + opened.appliance_name + ", not appA");
    verified = "opened with its password: " + std::to_string(opened.store.sessions.size()) +
               " session records";
  }
  ctx.event(EventType::ok, op::backup_verified, verified,
            {{"sha256", b.sha256_hex},
             {"bytes", std::to_string(b.bytes.size())},
             {"file", std::filesystem::relative(file, ctx.dir).string()}});
  return "ok";
}

}  // namespace

extern const StepDef kBackupStep{
    "backup",
    "Download a backup of A, store it encrypted, record and verify its SHA-256",
    {"R01"},
    {},
    "A is healthy",
    "a verified backup of this run is in the run directory (backups/), its sha256 on the timeline",
    Resume::by_history,
    run};

}  // namespace failover_hil::hil
