// Windows needs no keeper process: every service runs in a kill-on-close job object whose
// only handle supd holds, so the system itself ends the services when supd ends, however
// it ends.
#include "os/keeper.h"

namespace supd::os {

KeeperRole start_keeper() {
  return KeeperRole{false, "not needed on Windows: services die with supd's job objects"};
}

}  // namespace supd::os
